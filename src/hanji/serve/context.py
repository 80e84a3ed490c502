"""Per-request metadata and where it goes when the request ends.

A `RequestContext` follows one request from the ASGI app (`hanji.serve.asgi`) through the
handler and the hooks; when the response is fully sent (streams included) it becomes a
`RequestRecord` handed to the metrics, the hash-chained audit log and every `RecordSink`
(the access log by default). A record holds metadata only: never a key, a prompt, a
completion or anything derived from their content.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from time import perf_counter
from time import time as wall_clock
from typing import Any, Protocol

from hanji.tenants.store import ApiKey, Tenant

_MAX_UNKNOWN_FIELDS = 16
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
NON_IDENTIFIER = "<non-identifier>"
"""Stands in for an unknown field name that is not an identifier: it may be content."""
_DIGIT_RUN = re.compile(r"[0-9]{5,}")


def loggable_name(name: str) -> bool:
    """A client-chosen name (an unknown field) that may be logged: an ASCII identifier with
    no run of five or more digits once ``-``, ``_`` and ``.`` are dropped (``rrn-740221-…``,
    ``x7402211122331``, a phone or card number in a name) and nothing the PII detector finds.
    Vendor fields (``parallel_tool_calls``, ``top_k``) pass; a dated one (``v2024-06-01``)
    does not, which costs only its name in the log."""
    if not _FIELD_NAME.fullmatch(name):
        return False
    if _DIGIT_RUN.search(re.sub(r"[-_.]", "", name)):
        return False
    from hanji.privacy import detect

    return not detect(name)


@dataclass(frozen=True)
class RequestRecord:
    """One finished request, metadata only (the audit log's input)."""

    time: float
    request_id: str
    method: str
    route: str
    status: int
    latency_ms: float
    tenant_id: str | None = None
    key_id: str | None = None
    model: str | None = None
    backend: str | None = None
    backend_host: str | None = None
    stream: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error_code: str | None = None
    unknown_fields: tuple[str, ...] = ()
    decisions: dict[str, Any] = field(default_factory=dict)
    outcome: str = "completed"
    """"completed" (the whole response went out), "interrupted" (it had started: the
    client left or the server failed mid-stream) or "unanswered" (nothing was sent)."""
    sent_bytes: int = 0
    """Response body bytes handed to the server for sending (what an interrupted stream
    had delivered)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RequestContext:
    method: str
    path: str
    route: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time: float = field(default_factory=wall_clock)
    started: float = field(default_factory=perf_counter)
    tenant: Tenant | None = None
    key: ApiKey | None = None
    model: str | None = None
    backend: str | None = None
    backend_host: str | None = None
    stream: bool = False
    status: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error_code: str | None = None
    unknown_fields: tuple[str, ...] = ()
    decisions: dict[str, Any] = field(default_factory=dict)
    """Policy and guard decisions (e.g. PII counts by type), filled by pipeline hooks."""
    hook_state: dict[str, Any] = field(default_factory=dict)
    """Hooks' per-request state (e.g. the guard's pseudonyms); never part of the record."""
    path_params: Mapping[str, str] = field(default_factory=dict)
    """Values of the route's path template (``{model}``); never part of the record."""
    query_string: bytes = b""
    """The URL's query, for routes without a body (list filters); never part of the record."""
    response_started: bool = False
    response_finished: bool = False
    sent_bytes: int = 0

    def note_unknown(self, names: list[str]) -> None:
        """Field names only (never values), capped so a hostile body cannot flood the log.

        SDK and vendor fields are identifiers (``parallel_tool_calls``); a name that is not
        one (Korean text, a number, an e-mail address, an identifier dressed as a field
        name: `loggable_name`) may be the caller's data put in the wrong place, so it is
        recorded as ``<non-identifier>`` instead.
        """
        safe = (n if loggable_name(n) else NON_IDENTIFIER for n in names)
        self.unknown_fields = tuple(dict.fromkeys(safe))[:_MAX_UNKNOWN_FIELDS]

    def record(self) -> RequestRecord:
        return RequestRecord(
            time=self.time,
            request_id=self.request_id,
            method=self.method,
            route=self.route,
            status=self.status,
            latency_ms=round((perf_counter() - self.started) * 1000, 3),
            tenant_id=self.tenant.id if self.tenant else None,
            key_id=self.key.id if self.key else None,
            model=self.model,
            backend=self.backend,
            backend_host=self.backend_host,
            stream=self.stream,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            error_code=self.error_code,
            unknown_fields=self.unknown_fields,
            decisions=dict(self.decisions),
            outcome=self.outcome(),
            sent_bytes=self.sent_bytes,
        )

    def outcome(self) -> str:
        if self.response_finished:
            return "completed"
        return "interrupted" if self.response_started else "unanswered"


class RecordSink(Protocol):
    """Receives every finished request; must be fast and must not raise."""

    def emit(self, record: RequestRecord) -> None: ...


class LogSink:
    """One JSON line per request on ``hanji.serve.access`` (metadata only)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("hanji.serve.access")

    def emit(self, record: RequestRecord) -> None:
        if self.logger.isEnabledFor(logging.INFO):
            data = {k: v for k, v in record.to_dict().items() if v not in (None, (), {}, False)}
            self.logger.info(json.dumps(data, ensure_ascii=False, default=str))
