"""`create_app(settings)`: the one place where the gateway is wired together."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hanji.serve.audit import AuditWriter
from hanji.serve.auth import Authenticator
from hanji.serve.backends.base import Backend
from hanji.serve.backends.local import LocalBackend
from hanji.serve.backends.openai_compat import OpenAIBackend
from hanji.serve.context import LogSink, RecordSink
from hanji.serve.errors import APIError, InvalidRequest, NotFound
from hanji.serve.gateway import Gateway
from hanji.serve.guard import PolicyGuard
from hanji.serve.middleware import GatewayMiddleware
from hanji.serve.hooks import Hook, Pipeline
from hanji.serve.retention import ConversationKeeper, Purger
from hanji.serve.routers import openai, ops
from hanji.serve.routers.direct import DirectRoutes
from hanji.serve.security import open_audit, open_vault
from hanji.serve.settings import Settings
from hanji.serve.store import Store

log = logging.getLogger("hanji.serve")


def build_backends(settings: Settings) -> list[Backend]:
    """Backends named in settings; upstream keys are read from the variables they name."""
    backends: list[Backend] = [
        LocalBackend(
            m.served_name,
            m.ref,
            max_concurrency=m.max_concurrency or settings.local_max_concurrency,
            max_queue=settings.local_max_queue,
        )
        for m in settings.models
    ]
    for upstream in settings.upstreams:
        key = None
        if upstream.key_env:
            key = os.environ.get(upstream.key_env)
            if not key:
                raise ValueError(
                    f"--upstream-key-env: environment variable {upstream.key_env} is not set"
                )
        backends.append(OpenAIBackend(upstream, api_key=key))
    return backends


def _validation_error(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ()) if part != "body"]
    param = ".".join(loc) or None
    if first.get("type") == "json_invalid":
        message, param = "The request body is not valid JSON.", None
    elif not loc:
        message = "The request body must be a JSON object (Content-Type: application/json)."
    else:
        msg = str(first.get("msg", "invalid request"))
        message = f"{param}: {msg}" if param else msg
    return InvalidRequest(message, param=param, code="invalid_value").response()


def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc.__cause__, APIError):  # e.g. the body limit, raised while reading
        return exc.__cause__.response()
    status = getattr(exc, "status_code", 500)
    if status == 404:
        return NotFound(f"Unknown route: {request.method} {request.url.path}").response()
    if status == 405:
        return InvalidRequest(
            f"Method {request.method} is not allowed on {request.url.path}.",
            status=405,
            code="method_not_allowed",
        ).response()
    if 400 <= status < 500:
        return InvalidRequest("The request could not be handled.", status=status).response()
    return APIError("The request could not be handled.", status=status).response()


def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    ctx = request.scope.get("state", {}).get("ctx")
    if ctx is not None:
        ctx.error_code = exc.code
    return exc.response()


def create_app(
    settings: Settings,
    *,
    backends: Iterable[Backend] | None = None,
    hooks: Sequence[Hook] | None = None,
    sinks: Sequence[RecordSink] | None = None,
    store: Store | None = None,
    direct_routes: bool = True,
) -> FastAPI:
    """Wire settings, store, backends, pipeline hooks and record sinks into an ASGI app.

    ``backends`` replaces those named in settings (tests pass fakes); ``hooks`` replaces
    the default pipeline, which is the tenant policy and PII guard (`PolicyGuard`);
    ``sinks`` receive one metadata record per request (default: the access log). The
    audit log (``settings.audit``) is not a sink: it is always on unless settings say so,
    and the gateway refuses requests while it cannot be written. ``direct_routes=False``
    answers every request through FastAPI's routes (`routers/direct.py`; tests compare).
    """
    owns_store = store is None
    store = store or Store(settings.db_url)
    vault = open_vault(settings, store)
    if hooks is None:
        hooks = [PolicyGuard(ConversationKeeper(vault))]
    audit_log = open_audit(settings, store) if settings.audit else None
    audit = (
        AuditWriter(
            audit_log,
            checkpoint_every=settings.audit_checkpoint_every,
            checkpoint_interval_s=settings.audit_checkpoint_interval_s,
        )
        if audit_log is not None
        else None
    )
    purger = Purger(vault, audit_log, settings.audit_retention_days, settings.purge_interval_s)
    served = list(backends) if backends is not None else build_backends(settings)
    by_name: dict[str, Backend] = {}
    for backend in served:
        if backend.name in by_name:
            raise ValueError(f"model name '{backend.name}' is served twice")
        by_name[backend.name] = backend
    gateway = Gateway(
        settings=settings,
        store=store,
        auth=Authenticator(store, settings.pepper_bytes(), settings.admin_key_value()),
        backends=by_name,
        pipeline=Pipeline(hooks),
        sinks=list(sinks) if sinks is not None else [LogSink()],
        audit=audit,
        vault=vault,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started: list[Backend] = []
        try:
            for backend in by_name.values():
                await backend.start()
                started.append(backend)
                log.info("backend ready: %s (%s)", backend.name, backend.kind)
            purger.start()
            yield
        finally:
            await purger.stop()
            for backend in started:
                await backend.close()
            if audit is not None:
                audit.close()
            if owns_store:
                store.close()

    app = FastAPI(
        title="hanji gateway",
        summary="OpenAI-compatible API for Korean-specialised models",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry, once a provider is configured, logs unhandled
        # exceptions with their text and traceback, which can quote customer content, to
        # the operator's collector; /metrics and the audit log are the gateway's telemetry.
        # (Off also spares a provider check per request.)
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.gateway = gateway
    app.include_router(ops.router)
    app.include_router(openai.router)
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    if direct_routes:  # added first, so it runs inside GatewayMiddleware
        app.add_middleware(DirectRoutes, gateway=gateway)
    app.add_middleware(GatewayMiddleware, gateway=gateway)
    return app
