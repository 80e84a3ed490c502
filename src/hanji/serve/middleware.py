"""One pure-ASGI middleware in front of every route: context, authentication, limits, record.

Authentication happens here, before routing and before the body is read, so no route can
be added without it, an unknown path answers 401 (not 404) to a caller without a key, and
a malformed body from an anonymous caller never reaches a parser. Only ``/healthz`` is
public.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from hanji.serve.auth import Principal
from hanji.serve.context import RequestContext
from hanji.serve.errors import APIError, PayloadTooLarge, ServerError
from hanji.serve.gateway import Gateway

PUBLIC_PATHS = frozenset({"/healthz"})
KNOWN_ROUTES = frozenset(
    {
        "/healthz",
        "/metrics",
        "/v1/models",
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
    }
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("hanji.serve")


def route_label(path: str) -> str:
    """A bounded label for metrics and records: the route template, or ``other``."""
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/v1/models/"):
        return "/v1/models/{model}"
    return "other"


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` lower-case), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class GatewayMiddleware:
    def __init__(self, app: Any, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway
        # SQLite answers in microseconds from a local file; a network database must not
        # block the event loop, so its lookups go to the thread pool.
        self._inline_auth = gateway.store.engine.dialect.name == "sqlite"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gw = self.gateway
        path = scope["path"]
        ctx = RequestContext(method=scope["method"], path=path, route=route_label(path))
        scope.setdefault("state", {})["ctx"] = ctx
        started = False
        request_id = (b"x-request-id", ctx.request_id.encode())

        async def send_and_watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                ctx.status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id]
            await send(message)

        gw.metrics.in_flight += 1
        try:
            if path not in PUBLIC_PATHS:
                try:
                    await self._admit(scope, ctx)
                except APIError as err:
                    ctx.error_code = err.code
                    await err.response()(scope, receive, send_and_watch)
                    return
                receive = self._limit_body(receive)
            await self.app(scope, receive, send_and_watch)
        except Exception as exc:
            # Exception text may quote request content: log the type and place only.
            where = traceback.extract_tb(exc.__traceback__)[-1:]
            log.error(
                "unhandled error",
                extra={
                    "request_id": ctx.request_id,
                    "error": type(exc).__name__,
                    "where": [f"{f.filename}:{f.lineno}" for f in where],
                },
            )
            ctx.error_code = "internal_error"
            if not started:
                await ServerError("The server had an error processing the request.").response()(
                    scope, receive, send_and_watch
                )
        finally:
            gw.metrics.in_flight -= 1
            gw.emit(ctx.record())

    async def _admit(self, scope: Scope, ctx: RequestContext) -> None:
        gw = self.gateway
        gw.check_audit()
        authorization = header(scope, b"authorization")
        if self._inline_auth:
            principal = gw.auth.authenticate(authorization)
        else:
            principal = await run_in_threadpool(gw.auth.authenticate, authorization)
        scope["state"]["principal"] = principal
        self._bind(ctx, principal)
        if principal.key is not None:
            gw.limiter.check_request(principal.key)
        length = header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > gw.settings.max_body_bytes:
            raise self._too_large()

    @staticmethod
    def _bind(ctx: RequestContext, principal: Principal) -> None:
        ctx.tenant = principal.tenant
        ctx.key = principal.key

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"Request body is larger than {self.gateway.settings.max_body_bytes} bytes."
        )

    def _limit_body(self, receive: Receive) -> Receive:
        """Count streamed body bytes too: Content-Length may be absent (chunked) or wrong."""
        limit = self.gateway.settings.max_body_bytes
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise self._too_large()
            return message

        return limited
