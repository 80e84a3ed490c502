"""API keys: generated once, shown once, stored as HMAC-SHA256 under the server's pepper.

The clear key leaves `issue_key` and nowhere else; the store keeps its HMAC and a hint.
The gateway (`hanji.serve.auth`) hashes each presented key the same way to find it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from hanji.tenants.store import ApiKey, Store

if TYPE_CHECKING:
    from hanji.audit.log import AuditLog

KEY_PREFIX = "hk-"


def generate_key() -> str:
    """A new API key: a fixed prefix (for secret scanners) and 256 random bits."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(pepper: bytes, key: str) -> str:
    return hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()


def key_hint(key: str) -> str:
    """Enough to tell keys apart in a list, far too little to guess one."""
    return f"{key[: len(KEY_PREFIX) + 2]}…{key[-4:]}"


def issue_key(
    store: Store,
    pepper: bytes,
    tenant_name: str,
    *,
    label: str | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
    audit: AuditLog | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for a tenant; the clear key is returned here and nowhere else.

    With ``audit``, the creation is written to the audit log (``key.create``).
    """
    key = generate_key()
    record = store.add_key(
        tenant_name,
        key_hash=hash_key(pepper, key),
        hint=key_hint(key),
        label=label,
        rpm=rpm,
        tpm=tpm,
    )
    if audit is not None:
        audit.record_action("key.create", record.tenant_id, key_id=record.id)
    return record, key
