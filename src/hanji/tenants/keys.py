"""API keys: generated once, shown once, stored as HMAC-SHA256 under the server's pepper.

The clear key leaves `issue_key` and nowhere else; the store keeps its HMAC and a hint.
The gateway (`hanji.serve.auth`) hashes each presented key the same way to find it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from hanji.tenants.store import ApiKey, Store

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
) -> tuple[ApiKey, str]:
    """Create a key for a tenant; the clear key is returned here and nowhere else."""
    key = generate_key()
    record = store.add_key(
        tenant_name,
        key_hash=hash_key(pepper, key),
        hint=key_hint(key),
        label=label,
        rpm=rpm,
        tpm=tpm,
    )
    return record, key
