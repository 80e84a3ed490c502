"""`create_app(settings)`: the one place where the gateway is wired together."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from hanji.audit.journal import Journal, recover
from hanji.audit.writer import AuditWriter
from hanji.serve.asgi import GatewayApp
from hanji.serve.auth import Authenticator
from hanji.serve.backends.base import Backend
from hanji.serve.backends.llamacpp import LlamaCppBackend
from hanji.serve.backends.local import LocalBackend
from hanji.serve.backends.openai_compat import OpenAIBackend
from hanji.serve.context import LogSink, RecordSink
from hanji.serve.gateway import Gateway
from hanji.serve.guard import PolicyGuard
from hanji.serve.hooks import Hook, Pipeline
from hanji.serve.ratelimit import limiter_for
from hanji.serve.retention import ConversationKeeper, Purger
from hanji.serve.routes import ROUTES, Route
from hanji.settings import Settings
from hanji.tenants.home import open_audit, open_vault
from hanji.tenants.store import Store

log = logging.getLogger("hanji.serve")


def build_backends(settings: Settings) -> list[Backend]:
    """Backends named in settings; upstream keys are read from the variables they name."""
    backends: list[Backend] = []
    for m in settings.models:
        if m.runs_on == "llama.cpp":
            from hanji.export.llamacpp import INSTALL_HINT, available

            if not available():
                raise ValueError(f"--model {m.ref}: a GGUF file runs on llama.cpp: {INSTALL_HINT}")
            backends.append(
                LlamaCppBackend(m.served_name, m.ref, max_queue=settings.local_max_queue)
            )
        else:
            backends.append(
                LocalBackend(
                    m.served_name,
                    m.ref,
                    max_concurrency=m.max_concurrency or settings.local_max_concurrency,
                    max_queue=settings.local_max_queue,
                )
            )
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


def create_app(
    settings: Settings,
    *,
    backends: Iterable[Backend] | None = None,
    hooks: Sequence[Hook] | None = None,
    sinks: Sequence[RecordSink] | None = None,
    store: Store | None = None,
    routes: Iterable[Route] = ROUTES,
) -> GatewayApp:
    """Wire settings, store, backends, pipeline hooks and record sinks into an ASGI app.

    ``backends`` replaces those named in settings (tests pass fakes); ``hooks`` replaces
    the default pipeline, which is the tenant policy and PII guard (`PolicyGuard`);
    ``sinks`` receive one metadata record per request (default: the access log). The
    audit log (``settings.audit``) is not a sink: it is always on unless settings say so,
    and the gateway refuses requests while it cannot be written. ``routes`` is the table
    the app answers (`hanji.serve.routes.ROUTES`).
    """
    owns_store = store is None
    store = store or Store(settings.db_url)
    vault = open_vault(settings, store)
    if hooks is None:
        guard = PolicyGuard(
            ConversationKeeper(vault),
            max_scan_chars=settings.guard_max_scan_chars,
            scan_processes=settings.guard_scan_processes,
        )
        hooks = [guard]
    audit_log = open_audit(settings, store) if settings.audit else None
    audit = None
    if audit_log is not None:
        audit = AuditWriter(
            audit_log,
            checkpoint_every=settings.audit_checkpoint_every,
            checkpoint_interval_s=settings.audit_checkpoint_interval_s,
            linger_s=settings.audit_linger_s,
        )
    purger = Purger(vault, audit_log, settings.audit_retention_days, settings.purge_interval_s)
    served = list(backends) if backends is not None else build_backends(settings)
    by_name: dict[str, Backend] = {}
    for backend in served:
        if backend.name in by_name:
            raise ValueError(f"model name '{backend.name}' is served twice")
        by_name[backend.name] = backend
    from hanji.search.service import Documents

    documents = Documents(store.engine, vault)
    gateway = Gateway(
        settings=settings,
        store=store,
        auth=Authenticator(store, settings.pepper_bytes(), settings.admin_key_value()),
        backends=by_name,
        pipeline=Pipeline(hooks),
        limiter=limiter_for(store, settings.workers),
        sinks=list(sinks) if sinks is not None else [LogSink()],
        audit=audit,
        vault=vault,
        documents=documents,
    )

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        started: list[Backend] = []
        if audit is not None and audit_log is not None:
            # What processes that died had journalled goes into the chain before we serve;
            # then this process journals its own (each worker process runs this).
            recover(settings.audit_journal_dir(), audit_log)
            audit.journal = Journal(settings.audit_journal_dir())
        try:
            for backend in by_name.values():
                await backend.start()
                started.append(backend)
                log.info("backend ready: %s (%s)", backend.name, backend.kind)
            purger.start()
            yield
        finally:
            await purger.stop()
            for hook in hooks:
                close = getattr(hook, "close", None)
                if close is not None:
                    close()
            documents.close()
            for backend in started:
                await backend.close()
            if audit is not None:
                audit.close()
            if owns_store:
                store.close()

    return GatewayApp(gateway, routes, lifespan)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The connection limits of ``settings`` as uvicorn options.

    httptools has no header size limit of its own: the app answers 431 past
    ``max_header_bytes`` (`GatewayApp`); under h11 the parser stops a little later, with a
    400 and a closed connection. Headers must arrive within ``header_read_timeout_s``
    (`header_timeout_protocol`, httptools only); idle keep-alive connections close after
    ``keep_alive_timeout_s``; a stalled body is cut off by the app (408).
    """
    options: dict[str, Any] = {
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        "h11_max_incomplete_event_size": settings.max_header_bytes + 1024,
    }
    protocol = header_timeout_protocol(settings.header_read_timeout_s)
    if protocol is not None:
        options["http"] = protocol
    return options


@dataclass(frozen=True)
class WorkerApp:
    """The app factory each process of `hanji serve --workers N` calls: uvicorn hands it to
    the process pickled, over the spawn pipe (settings with their secrets travel neither
    through the environment nor a file)."""

    settings: Settings

    def __call__(self) -> GatewayApp:
        from hanji.serve.deadline import HeaderDeadline

        HeaderDeadline.timeout_s = self.settings.header_read_timeout_s  # this process's server
        return create_app(self.settings)


def run_workers(settings: Settings) -> None:
    """`hanji serve --workers N`: uvicorn's supervisor binds the port once and keeps
    ``settings.workers`` processes accepting on it, restarting one that dies.

    Each process builds its own gateway (loads the served models, opens its audit journal
    and recovers dead processes' ones, as a replica does); the rate buckets live in the
    database (`limiter_for`), the key cache follows the database's change counter, and every
    process appends to the one audit chain.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options = uvicorn_options(settings)
    if "http" in options:  # the worker imports the protocol by name and sets its deadline
        from hanji.serve.deadline import HeaderDeadline

        options["http"] = HeaderDeadline
    config = uvicorn.Config(
        WorkerApp(settings),
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
        **options,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def header_timeout_protocol(timeout_s: float) -> type | None:
    """uvicorn's httptools protocol with a deadline of ``timeout_s`` for the request headers
    (`hanji.serve.deadline`); None where httptools is not installed (uvicorn then uses h11,
    which has none)."""
    try:
        from hanji.serve.deadline import HeaderDeadline
    except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]
        return None
    return type("HeaderDeadline", (HeaderDeadline,), {"timeout_s": timeout_s})


def run_server(app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    """Run ``app`` under uvicorn as `hanji serve` does (and `bench/gateway.py` measures).

    uvicorn picks uvloop and httptools, which ``uvicorn[standard]`` installs (a dependency),
    over asyncio and h11: on two cores they save 0.2-0.3 ms of added p50 and a sixth of the
    CPU per chat completion (bench/README.md). The limits come from the gateway's settings
    (`uvicorn_options`); another ASGI app (the bench's fake upstream) gets the defaults.
    """
    import uvicorn

    gateway = getattr(app, "gateway", None)
    settings = gateway.settings if gateway is not None else Settings()

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        **uvicorn_options(settings),
    )
