"""AES-256-GCM with random 96-bit nonces, and the associated data that binds a ciphertext.

The associated data (AAD) names what a ciphertext is for: the tenant, the record and the
purpose. A ciphertext copied to another tenant's row, another record id or another
purpose fails authentication instead of decrypting, even under the right key.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hanji.vault.errors import VaultError

KEY_BYTES = 32
NONCE_BYTES = 12


def new_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _field(value: str) -> bytes:
    raw = value.encode()
    return len(raw).to_bytes(2, "big") + raw


def aad(kind: str, *parts: str) -> bytes:
    """Length-prefixed fields, so that ('ab', 'c') and ('a', 'bc') never collide."""
    return b"hanji.vault.v1" + _field(kind) + b"".join(_field(p) for p in parts)


def dek_aad(tenant_id: str, dek_id: str) -> bytes:
    return aad("dek", tenant_id, dek_id)


def record_aad(tenant_id: str, record_id: str, purpose: str) -> bytes:
    return aad("record", tenant_id, record_id, purpose)


def seal(key: bytes, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
    """Encrypt; returns (nonce, ciphertext with its 16-byte tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
    """Decrypt and authenticate; any mismatch (key, nonce, bytes, AAD) is one error."""
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, associated)
    except (InvalidTag, ValueError):
        raise VaultError(
            "ciphertext failed authentication (wrong key, tenant, record or purpose)"
        ) from None
