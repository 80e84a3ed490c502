"""Customer-managed keys: envelope encryption per tenant, key providers, crypto-shredding.

    >>> vault = Vault("sqlite:///hanji.db", default_provider=lambda t: f"local-file:/keys/{t}.json")
    >>> rid = vault.seal("ten_1", "conversation", b"...")
    >>> vault.open("ten_1", rid)

The database holds ciphertext and wrapped data keys only; whoever lacks the tenant's
key-encryption key (KEK) reads nothing. `Vault.shred` makes a tenant's data unreadable
for good.
"""

from hanji.vault.errors import KeyProviderError, RecordNotFound, Shredded, VaultError
from hanji.vault.kms import KmsClient, KmsKeyProvider, VaultTransitClient, vault_transit_provider
from hanji.vault.providers import (
    EnvKeyProvider,
    KeyProvider,
    LocalFileKeyProvider,
    provider_from_spec,
    register_provider,
)
from hanji.vault.vault import RecordInfo, RotateReport, ShredReport, TenantKeys, Vault

__all__ = [
    "EnvKeyProvider",
    "KeyProvider",
    "KeyProviderError",
    "KmsClient",
    "KmsKeyProvider",
    "LocalFileKeyProvider",
    "RecordInfo",
    "RecordNotFound",
    "RotateReport",
    "ShredReport",
    "Shredded",
    "TenantKeys",
    "Vault",
    "VaultError",
    "VaultTransitClient",
    "provider_from_spec",
    "register_provider",
    "vault_transit_provider",
]
