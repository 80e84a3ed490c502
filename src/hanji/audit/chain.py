"""The chain's canonical form: what a record is, and the bytes its hash is taken over.

A record is a JSON object of integers and strings (floats become strings: their text
differs between languages), with its sequence number ``seq`` and the previous record's
hash ``prev_hash``; its hash is SHA-256 over its canonical JSON (sorted keys, no
whitespace, UTF-8).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first record."""


@dataclass(frozen=True)
class StoredRecord:
    """A row as stored: the position it sits at, its JSON text and its claimed hash."""

    seq: int
    data: str
    hash: str


def canonical(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes a record's hash is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in data.items() if k != "hash"})).hexdigest()


def chained(data: dict[str, Any]) -> tuple[str, str]:
    """A record's stored text and its hash, from one encoding (what `record_hash` computes)."""
    if "hash" in data:
        return canonical(data).decode(), record_hash(data)
    encoded = canonical(data)
    return encoded.decode(), hashlib.sha256(encoded).hexdigest()


def parse_iso(value: str) -> datetime:
    """The inverse of `iso` (``...T12:00:00.000000Z``), aware, in UTC."""
    return datetime.fromisoformat(value).astimezone(UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    """JSON without floats (their text differs between languages): floats become strings."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@lru_cache(maxsize=1024)
def _iso_of(timestamp: float) -> str:
    """`iso` of a request's start time: asked for twice per request (start line, record)."""
    return iso(datetime.fromtimestamp(timestamp, UTC))


def start_entry(record: Any) -> dict[str, Any]:
    """What is known of a request when its response starts (the journal's start line):
    the first fields of its `request_entry`."""
    return {
        "event": "request",
        "time": _iso_of(record.time),
        "request_id": record.request_id,
        "tenant_id": record.tenant_id,
        "key_id": record.key_id,
        "method": record.method,
        "route": record.route,
        "model": record.model,
        "backend": record.backend,
        "backend_host": record.backend_host,
        "stream": record.stream,
        "status": record.status,
    }


def request_entry(record: Any) -> dict[str, Any]:
    """The audit form of a request record (the gateway's `RequestRecord`, read by attribute):
    metadata only, integers and strings."""
    return {
        **start_entry(record),
        "error_code": record.error_code,
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "latency_us": int(record.latency_ms * 1000),
        "unknown_fields": len(record.unknown_fields),  # names are the caller's text
        "decisions": _plain(record.decisions),
        "outcome": record.outcome,
        "sent_bytes": record.sent_bytes,
    }


def admin_entry(event: str, tenant_id: str | None, **details: Any) -> dict[str, Any]:
    """An operator action (tenant created, key revoked, keys rotated or shredded...)."""
    return {
        "event": event,
        "time": iso(datetime.now(UTC)),
        "tenant_id": tenant_id,
        "actor": "cli",
        "details": _plain(details),
    }
