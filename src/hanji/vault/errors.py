"""Vault errors: messages name the tenant, record or provider, never a key or a plaintext."""

from __future__ import annotations


class VaultError(Exception):
    """A vault operation that cannot be done; safe to show to an operator."""


class KeyProviderError(VaultError):
    """A key-encryption key is missing, wrong or unreachable."""


class RecordNotFound(VaultError):
    """No such record for this tenant (also what another tenant's record looks like)."""


class Shredded(VaultError):
    """The tenant's data keys were destroyed: its records can never be decrypted again."""
