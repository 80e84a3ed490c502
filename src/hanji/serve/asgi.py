"""The gateway as one ASGI app: every request, streamed or not, takes the same way.

    context -> authenticate -> route -> read and parse the body -> key fits the route
    -> handler -> JSON, SSE or the handler's own response -> record

Authentication comes before routing and before the body is read: no route can be added
without it, an unknown path answers 401 (not 404) to a caller without a key, and a body
from an anonymous caller is never parsed. Only the public routes (``/healthz``) skip it.
A body that is not JSON is a 400 to anyone; otherwise a key that does not fit the route
(403) comes before the schema's complaints (400).

One ASGI router rather than Starlette's `Router` or FastAPI: a route is found with one dict
lookup (routes with a template are matched in order after that) and the order above is
kept in one function, not spread over middleware, dependencies and exception handlers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, State
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import compile_path

from hanji.serve.auth import Access, Principal, require
from hanji.serve.context import RequestContext
from hanji.serve.errors import (
    APIError,
    HeadersTooLarge,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RequestTimeout,
    ServerError,
    invalid_body,
    lone_surrogate,
    too_deep,
)
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import OpenAIRequest
from hanji.serve.routes import Reply, Route

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("hanji.serve")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_NO_PARAMS: Mapping[str, str] = MappingProxyType({})


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` lower-case), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def is_json(content_type: str | None) -> bool:
    """``application/json`` or ``application/*+json``, any case and parameters; not absent."""
    if not content_type:
        return False
    mime = content_type.partition(";")[0].strip().lower()
    return mime == "application/json" or (
        mime.startswith("application/") and mime.endswith("+json")
    )


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"[\[{][\]}]")
# A high surrogate escape not followed by a low one, or a low one not preceded by a high
# one: a prefilter, so that a body with escaped emoji (paired surrogates) is not parsed twice.
_LONE_SURROGATE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def nested_deeper(raw: bytes, limit: int) -> bool:
    """Whether the arrays and objects of ``raw`` nest more than ``limit`` deep.

    Strings are cut out, then the brackets alone lose their innermost level per pass, all
    in C (re, bytes.translate): 4 MB of brackets take milliseconds, no Python recursion.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return False
    return _INNERMOST.search(brackets) is not None


def _surrogate_in(value: Any, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path to the first string (or the object whose field name) with a lone surrogate."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _surrogate_in(item, (*path, str(index)))
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if _surrogate_in(key, path) is not None:
                return path
            found = _surrogate_in(item, (*path, key))
            if found is not None:
                return found
    return None


def lone_surrogate_error(raw: bytes) -> InvalidRequest | None:
    """A 400 naming the field whose string holds an unpaired ``\\udXXX`` escape, if any.

    The JSON parser refuses such a body only as "not valid JSON" (or, in some versions,
    hands the surrogate on, to fail at ``.encode()``). Python's parser keeps it, so the
    field can be named. Called after `nested_deeper` has bounded the recursion.
    """
    if _LONE_SURROGATE_ESCAPE.search(raw) is None:
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    path = _surrogate_in(parsed, ())
    if path is None:
        return None
    return lone_surrogate(".".join(path) or None)


def parse_form(
    raw: bytes, content_type: str | None, model: type[OpenAIRequest]
) -> tuple[OpenAIRequest | None, APIError | None]:
    """A ``multipart/form-data`` body as ``model``: its fields, and its one file as
    ``file`` (bytes) and ``filename``. Parsed in memory (python-multipart): an upload never
    touches a temporary file."""
    from python_multipart import FormParser
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import parse_options_header

    mime, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary:
        return None, InvalidRequest(
            "This route takes a multipart/form-data body with a file.", code="invalid_value"
        )
    values: dict[str, Any] = {}

    def on_field(field: Any) -> None:
        if field.field_name and field.value is not None:
            values[field.field_name.decode("utf-8", "replace")] = field.value.decode(
                "utf-8", "replace"
            )

    def on_file(upload: Any) -> None:
        upload.file_object.seek(0)
        values["file"] = upload.file_object.read()
        name = upload.file_name or b""
        values["filename"] = name.decode("utf-8", "replace") if isinstance(name, bytes) else name

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        boundary=boundary,
        config={"MAX_MEMORY_FILE_SIZE": len(raw) + 1, "UPLOAD_KEEP_FILENAME": False},
    )
    try:
        parser.write(raw)
        parser.finalize()
    except FormParserError:
        return None, InvalidRequest("The multipart body could not be parsed.", code="invalid_value")
    if "file" not in values:
        return None, InvalidRequest("The form has no file.", param="file", code="invalid_value")
    try:
        return model.model_validate(values), None
    except ValidationError as exc:
        return None, invalid_body(exc)


def reply(result: Reply) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):  # pydantic writes UTF-8 as is: Hangul, not \\uXXXX
        return Response(result.model_dump_json(), media_type="application/json")
    return StreamingResponse(result, media_type="text/event-stream", headers=SSE_HEADERS)


@dataclass(frozen=True)
class Found:
    """The routes at one path, by method, and the values of the path's template."""

    label: str
    by_method: Mapping[str, Route]
    params: Mapping[str, str] = field(default_factory=lambda: _NO_PARAMS)


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        exact: dict[str, dict[str, Route]] = {}
        templated: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            if re.search(r"\{\w+:(?!(str|path)\})", route.path):
                raise ValueError(f"{route.path}: path values are str or path, handlers convert")
            into = templated if "{" in route.path else exact
            by_method = into.setdefault(route.path, {})
            if route.method in by_method:
                raise ValueError(f"route {route.method} {route.path} is in the table twice")
            by_method[route.method] = route
        self._exact = {p: Found(next(iter(m.values())).label, m) for p, m in exact.items()}
        self._templated = [
            (compile_path(p)[0], next(iter(m.values())).label, m) for p, m in templated.items()
        ]
        self.public = frozenset(r.path for r in self.routes if r.access is Access.PUBLIC)
        if any("{" in p for p in self.public):
            raise ValueError("a public route must have a fixed path")

    def find(self, path: str) -> Found | None:
        found = self._exact.get(path)
        if found is not None:
            return found
        for regex, label, by_method in self._templated:
            match: re.Match[str] | None = regex.match(path)
            if match:
                return Found(label, by_method, match.groupdict())
        return None


class GatewayApp:
    """`create_app`'s result: the routes of ``routes`` answered for ``gateway``."""

    def __init__(
        self,
        gateway: Gateway,
        routes: Iterable[Route],
        lifespan: Callable[[], AbstractAsyncContextManager[None]],
    ) -> None:
        self.gateway = gateway
        self.table = RouteTable(routes)
        self.routes = self.table.routes
        self.lifespan = lifespan
        self.state = State({"gateway": gateway})
        # SQLite answers in microseconds from a local file; a network database must not
        # block the event loop, so its lookups go to the thread pool.
        self._inline_auth = gateway.store.engine.dialect.name == "sqlite"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000, "reason": ""})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        gw = self.gateway
        path = scope["path"]
        found = self.table.find(path)
        ctx = RequestContext(
            method=scope["method"], path=path, route=found.label if found else "other"
        )
        request_id = (b"x-request-id", ctx.request_id.encode())

        async def send_and_watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctx.status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id]
                gw.response_starts(ctx)  # journalled before the first byte goes out
                ctx.response_started = True
            elif message["type"] == "http.response.body":
                await send(message)
                ctx.sent_bytes += len(message.get("body", b""))
                ctx.response_finished = not message.get("more_body", False)
                return
            await send(message)

        route = found.by_method.get(ctx.method) if found is not None else None
        limit = self._body_limit(route)
        gw.metrics.in_flight += 1
        try:
            if path not in self.table.public:
                receive = self._limit_body(receive, limit)
            response = self._oversized_headers(scope, ctx)
            if response is None:
                response = await self._answer(scope, receive, ctx, found, limit)
            await response(scope, receive, send_and_watch)
        except Exception as exc:
            # Exception text may quote request content: log the type and place only.
            where = [
                f"{f.filename}:{f.lineno} in {f.name}"
                for f in traceback.extract_tb(exc.__traceback__)[-1:]
            ]
            log.error(
                "unhandled error: %s at %s (request %s)",
                type(exc).__name__,
                where[0] if where else "?",
                ctx.request_id,
                extra={"request_id": ctx.request_id, "error": type(exc).__name__, "where": where},
            )
            ctx.error_code = "internal_error"
            if not ctx.response_started:
                await ServerError("The server had an error processing the request.").response()(
                    scope, receive, send_and_watch
                )
        finally:
            gw.metrics.in_flight -= 1
            gw.emit(ctx.record())

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        ctx: RequestContext,
        found: Found | None,
        limit: int,
    ) -> Response:
        """The one way every request takes; an `APIError` anywhere becomes its OpenAI answer."""
        try:
            principal = None
            if ctx.path not in self.table.public:
                principal = await self._authenticate(scope, ctx, limit)
            route = found.by_method.get(ctx.method) if found is not None else None
            if route is None:
                return self._unrouted(scope, ctx, found)
            body, invalid = None, None
            if route.body is not None:
                body, invalid = await self._parse(scope, receive, route.body, route.form)
            require(principal, route.access)
            if invalid is not None:
                raise invalid
            if found is not None:
                ctx.path_params = found.params
            if route.body is None:
                ctx.query_string = scope.get("query_string", b"")
            return reply(await route.handler(body, ctx, self.gateway))
        except APIError as err:
            ctx.error_code = err.code
            return err.response()

    def _oversized_headers(self, scope: Scope, ctx: RequestContext) -> Response | None:
        """431 before anything else when the headers together are over the limit."""
        limit = self.gateway.settings.max_header_bytes
        size = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))
        if size <= limit:
            return None
        err = HeadersTooLarge(f"The request headers are larger than {limit} bytes.")
        ctx.error_code = err.code
        return err.response()

    async def _authenticate(self, scope: Scope, ctx: RequestContext, limit: int) -> Principal:
        gw = self.gateway
        gw.check_audit()
        authorization = header(scope, b"authorization")
        if self._inline_auth:
            principal, refused = self._admit(authorization)
        else:
            principal, refused = await run_in_threadpool(self._admit, authorization)
        ctx.tenant = principal.tenant
        ctx.key = principal.key
        if refused is not None:
            raise refused
        length = header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise self._too_large(limit)
        return principal

    def _admit(self, authorization: str | None) -> tuple[Principal, RateLimited | None]:
        """The caller, and the 429 if its key is over its requests/min (a database write
        under shared limits, so in the same thread-pool hop as the key lookup)."""
        gw = self.gateway
        principal = gw.auth.authenticate(authorization)
        if principal.key is not None:
            try:
                gw.limiter.check_request(principal.key)
            except RateLimited as refused:
                return principal, refused
        return principal, None

    def _unrouted(self, scope: Scope, ctx: RequestContext, found: Found | None) -> Response:
        """405 for a known path, else a redirect to the path without (or with) its last slash."""
        if found is not None:
            raise InvalidRequest(
                f"Method {ctx.method} is not allowed on {ctx.path}.",
                status=405,
                code="method_not_allowed",
            )
        path = ctx.path
        if path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if self.table.find(other) is not None:
                return RedirectResponse(str(URL(scope={**scope, "path": other})))
        raise NotFound(f"Unknown route: {ctx.method} {path}")

    async def _parse(
        self, scope: Scope, receive: Receive, model: type[OpenAIRequest], form: bool = False
    ) -> tuple[OpenAIRequest | None, APIError | None]:
        """The parsed body, or the 400 to answer once the key has been checked against the route.

        A body that is not JSON at all is refused here, before that check.
        """
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left while sending
                raise InvalidRequest("The request could not be handled.")
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        if form:
            return parse_form(raw, header(scope, b"content-type"), model)
        if not raw or not is_json(header(scope, b"content-type")):
            return None, invalid_body()
        depth = self.gateway.settings.max_json_depth
        if nested_deeper(raw, depth):
            raise too_deep(depth)
        surrogate = lone_surrogate_error(raw)
        if surrogate is not None:
            raise surrogate
        try:
            return model.model_validate_json(raw), None
        except RecursionError:
            raise too_deep(depth) from None
        except ValidationError as exc:
            error = invalid_body(exc)
            if exc.errors(include_url=False, include_input=False)[0]["type"] == "json_invalid":
                raise error from None
            return None, error

    def _body_limit(self, route: Route | None) -> int:
        """A file upload's own limit (``files_max_bytes``), else ``max_body_bytes``."""
        settings = self.gateway.settings
        return (
            settings.files_max_bytes
            if route is not None and route.form
            else settings.max_body_bytes
        )

    def _too_large(self, limit: int) -> PayloadTooLarge:
        if limit == self.gateway.settings.max_body_bytes:
            return PayloadTooLarge(f"Request body is larger than {limit} bytes.")
        return PayloadTooLarge(
            f"The upload is larger than {limit} bytes, this gateway's limit for a file "
            "(setting files_max_bytes).",
            code="file_too_large",
        )

    def _limit_body(self, receive: Receive, limit: int) -> Receive:
        """Count streamed body bytes too: Content-Length may be absent (chunked) or wrong.

        The body must have arrived ``body_read_timeout_s`` after the headers (408 otherwise):
        a client that sends half a body and stalls does not hold the connection. Only the
        body is timed; once it is complete, waiting for a disconnect is not.
        """
        timeout = self.gateway.settings.body_read_timeout_s
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        complete = False

        async def limited() -> Message:
            nonlocal seen, complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise RequestTimeout(
                    f"The request body did not arrive within {timeout:g} seconds.",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise self._too_large(limit)
            return message

        return limited

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        started = False
        try:
            async with self.lifespan():
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()  # lifespan.shutdown
        except BaseException:
            failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            await send({"type": failed, "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.shutdown.complete"})
