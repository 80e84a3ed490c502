"""Open the vault and the audit log from settings: one place, shared by server and CLI."""

from __future__ import annotations

from hanji.audit.log import AuditLog
from hanji.audit.signing import Signer
from hanji.settings import Settings
from hanji.tenants.store import Store
from hanji.vault import Vault


def audit_signer(settings: Settings) -> Signer:
    """The checkpoint key: from HANJI_AUDIT_SIGNING_KEY, else the key file under HANJI_HOME."""
    if settings.audit_signing_key is not None:
        return Signer.from_seed_hex(settings.audit_signing_key.get_secret_value())
    return Signer.load_or_create(settings.audit_key_path())


def open_vault(settings: Settings, store: Store) -> Vault:
    return Vault(
        store.engine,
        default_provider=settings.key_provider_for,
        managed_dir=settings.kek_dir,
    )


def open_audit(settings: Settings, store: Store, *, signer: bool = True) -> AuditLog:
    from hanji.audit.sink import open_sink

    if not signer:
        return AuditLog(store.engine)
    return AuditLog(store.engine, audit_signer(settings), open_sink(settings.audit_checkpoint_sink))
