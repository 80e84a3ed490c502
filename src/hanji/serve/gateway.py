"""Everything a request needs, wired once at start-up and kept on ``app.state.gateway``."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hanji.audit.writer import AuditWriter
from hanji.serve.auth import Authenticator
from hanji.serve.backends.base import Backend
from hanji.serve.context import RecordSink, RequestContext, RequestRecord
from hanji.serve.errors import ServiceUnavailable, model_not_found
from hanji.serve.hooks import Pipeline
from hanji.serve.metrics import Metrics
from hanji.serve.ratelimit import RateLimiter, SharedRateLimiter
from hanji.settings import Settings
from hanji.tenants.store import Store

if TYPE_CHECKING:
    from hanji.search.service import Documents
    from hanji.vault import Vault

log = logging.getLogger("hanji.serve")


@dataclass
class Gateway:
    settings: Settings
    store: Store
    auth: Authenticator
    backends: Mapping[str, Backend]
    pipeline: Pipeline = field(default_factory=Pipeline)
    limiter: RateLimiter | SharedRateLimiter = field(default_factory=RateLimiter)
    metrics: Metrics = field(default_factory=Metrics)
    sinks: Sequence[RecordSink] = ()
    audit: AuditWriter | None = None
    vault: Vault | None = None
    documents: Documents | None = None
    """Files and vector stores (`hanji.search`); None: those routes answer 503."""
    created: int = field(default_factory=lambda: int(time.time()))

    def check_audit(self) -> None:
        """Fail closed: no request is served while its audit record could not be written."""
        if self.audit is not None and not self.audit.healthy:
            raise ServiceUnavailable(
                "The audit log cannot be written right now; requests are refused until it can.",
                code="audit_unavailable",
                headers={"Retry-After": "5"},
            )

    def backend_for(self, ctx: RequestContext, model: str) -> Backend:
        """The backend serving ``model``, if the caller's tenant may use it (else 404)."""
        backend = self.backends.get(model)
        if backend is None or ctx.tenant is None or not ctx.tenant.may_use(model):
            raise model_not_found(model)
        ctx.model = model
        ctx.backend = backend.kind
        ctx.backend_host = backend.host
        return backend

    def visible_models(self, ctx: RequestContext) -> list[str]:
        tenant = ctx.tenant
        return [name for name in self.backends if tenant is not None and tenant.may_use(name)]

    def response_starts(self, ctx: RequestContext) -> None:
        """The response's first message is about to be sent: the audit journal notes it."""
        if self.audit is not None:
            try:
                self.audit.started(ctx.record())
            except Exception as exc:  # fail closed: later requests get 503
                self.audit.healthy = False
                log.error("audit journal write failed", extra={"error": type(exc).__name__})

    def emit(self, record: RequestRecord) -> None:
        self.metrics.emit(record)
        if self.audit is not None:
            try:
                self.audit.emit(record)
            except Exception as exc:  # fail closed: later requests get 503
                self.audit.healthy = False
                log.error("audit record lost", extra={"error": type(exc).__name__})
        for sink in self.sinks:
            try:
                sink.emit(record)
            except Exception as exc:  # a broken sink must not fail the request
                log.error(
                    "record sink failed",
                    extra={"sink": type(sink).__name__, "error": type(exc).__name__},
                )
