"""A tenant's life: create, rename, policy, key revocation, rotate-key, shred, delete, purge.

Plain functions over an open store, vault and audit log: `hanji tenant ...` calls them, and
so can anything else. Every change is written to the audit log as an operator action
(`AuditLog.record_action`, with a signed checkpoint over it); ``audit=None``
(``HANJI_AUDIT=false``) writes nothing. API keys are made by `hanji.tenants.keys.issue_key`,
which audits their creation the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hanji.audit.log import AuditLog
from hanji.tenants.policy import PolicyError, validate_overrides
from hanji.tenants.store import ApiKey, Store, Tenant
from hanji.vault import RotateReport, ShredReport, TenantKeys, Vault, aead


def create_tenant(
    store: Store,
    vault: Vault,
    audit: AuditLog | None,
    name: str,
    profile: str,
    *,
    allowed_models: Sequence[str] = (),
    allowed_hosts: Sequence[str] = (),
    key_provider: str | None = None,
) -> tuple[Tenant, TenantKeys]:
    """A tenant, its key provider and first data key; a named provider is tried first."""
    if key_provider is not None:  # check the KEK works before anything is created
        provider = vault.provider(key_provider)
        provider.ensure()
        provider.wrap(aead.new_key(), aead.aad("probe"))
    tenant = store.create_tenant(
        name, profile, allowed_models=allowed_models, allowed_hosts=allowed_hosts
    )
    keys = vault.configure(tenant.id, key_provider)
    if audit is not None:
        audit.record_action(
            "tenant.create", tenant.id, profile=tenant.profile, key_provider=keys.provider
        )
    return tenant, keys


def revoke_key(store: Store, audit: AuditLog | None, key_id: str) -> ApiKey:
    record = store.revoke_key(key_id)
    if audit is not None:
        audit.record_action("key.revoke", record.tenant_id, key_id=record.id)
    return record


def parse_pii(pairs: Sequence[str]) -> dict[str, str]:
    """``TYPE=ACTION`` pairs (``phone=mask``) as ``{"PHONE": "mask"}``; checked by the policy."""
    out: dict[str, str] = {}
    for pair in pairs:
        kind, sep, action = pair.partition("=")
        if not sep:
            raise PolicyError(f"--pii expects TYPE=ACTION (e.g. PHONE=mask), got '{pair}'")
        out[kind.strip().upper()] = action.strip().lower()
    return out


def set_policy(
    store: Store,
    audit: AuditLog | None,
    name: str,
    changes: dict[str, Any],
    *,
    pii: Sequence[str] = (),
    reset: bool = False,
) -> Tenant:
    """Apply changes to a tenant's overrides; ``reset`` drops the stored ones first.

    ``pii`` holds ``TYPE=ACTION`` pairs, merged per type into the stored ones. Without
    changes or reset, the tenant is returned as it is and nothing is written.
    """
    tenant = store.require_tenant(name)
    overrides: dict[str, Any] = {} if reset else dict(tenant.policy)
    if pii:
        changes = {**changes, "pii": {**overrides.get("pii", {}), **parse_pii(pii)}}
    if changes or reset:
        overrides = validate_overrides(tenant.profile, {**overrides, **changes})
        tenant = store.set_policy(name, overrides)
        if audit is not None:
            audit.record_action("tenant.policy", tenant.id, overrides=overrides)
    return tenant


def rotate_key(
    store: Store,
    vault: Vault,
    audit: AuditLog | None,
    name: str,
    key_provider: str | None = None,
) -> tuple[Tenant, RotateReport]:
    """A new data key, and every data key of the tenant re-wrapped under a fresh KEK."""
    tenant = store.require_tenant(name)
    report = vault.rotate(tenant.id, key_provider)
    if audit is not None:
        audit.record_action(
            "tenant.rotate_key",
            tenant.id,
            rewrapped=report.rewrapped,
            active_key=report.active_key,
            key_provider=report.provider,
        )
    return tenant, report


@dataclass(frozen=True)
class ShredOutcome:
    tenant: Tenant
    report: ShredReport
    api_keys_revoked: int


def _shred_details(outcome: ShredOutcome) -> dict[str, Any]:
    report = outcome.report
    return {
        "keys_destroyed": report.keys_destroyed,
        "records_unreadable": report.records_unreadable,
        "kek_destroyed": report.kek_destroyed,
        "api_keys_revoked": outcome.api_keys_revoked,
    }


def _shred(store: Store, vault: Vault, tenant: Tenant) -> ShredOutcome:
    report = vault.shred(tenant.id)
    return ShredOutcome(tenant, report, store.revoke_tenant_keys(tenant.id))


def shred(store: Store, vault: Vault, audit: AuditLog | None, name: str) -> ShredOutcome:
    """Destroy the tenant's data keys and revoke its API keys. Irreversible."""
    outcome = _shred(store, vault, store.require_tenant(name))
    if audit is not None:
        audit.record_action("tenant.shred", outcome.tenant.id, **_shred_details(outcome))
    return outcome


def rename_tenant(store: Store, audit: AuditLog | None, old: str, new: str) -> Tenant:
    """Give a tenant a new name; a name another tenant has is refused.

    The tenant id stays, and audit records, vault keys, policy and API keys all follow the
    id: nothing else changes, and existing API keys go on working.
    """
    before = store.require_tenant(old)
    tenant = store.rename_tenant(old, new)
    if audit is not None:
        audit.record_action("tenant.rename", tenant.id, old_name=before.name, new_name=tenant.name)
    return tenant


def delete_tenant(store: Store, vault: Vault, audit: AuditLog | None, name: str) -> ShredOutcome:
    """Shred the tenant (data keys destroyed, API keys revoked), then remove it. Irreversible.

    Its row, policy and API keys leave the store; its id is kept as a tombstone in
    `deleted_tenants`, so it is never given to another tenant, and the audit log, which
    refers to tenants by id and is never rewritten, stays verifiable. The name is free for
    a new tenant, which gets a new id.
    """
    outcome = _shred(store, vault, store.require_tenant(name))
    store.delete_tenant(outcome.tenant.id)
    if audit is not None:
        audit.record_action(
            "tenant.delete", outcome.tenant.id, name=outcome.tenant.name, **_shred_details(outcome)
        )
    return outcome


@dataclass(frozen=True)
class PurgeReport:
    records: int
    audit_records: int


def purge_once(
    vault: Vault,
    audit: AuditLog | None,
    audit_retention_days: int,
    now: datetime | None = None,
) -> PurgeReport:
    """Delete expired conversations, shredded tenants' leftovers, and audit past retention."""
    now = now or datetime.now(UTC)
    records = vault.purge(now)
    pruned = audit.prune(now - timedelta(days=audit_retention_days)) if audit else 0
    return PurgeReport(records, pruned)
