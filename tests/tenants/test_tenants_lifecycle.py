"""`hanji.tenants.lifecycle` without the CLI: each action done, and written to the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanji.audit.log import AuditLog
from hanji.audit.signing import Signer
from hanji.audit.verify import verify_log
from hanji.tenants import lifecycle
from hanji.tenants.keys import issue_key
from hanji.tenants.policy import PolicyError
from hanji.tenants.store import Store
from hanji.vault import Vault

PEPPER = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'hanji.db'}")
    yield s
    s.close()


@pytest.fixture
def vault(store: Store, tmp_path: Path) -> Vault:
    keks = tmp_path / "keks"
    return Vault(
        store.engine, default_provider=lambda t: f"local-file:{keks}/{t}.json", managed_dir=keks
    )


def events(audit: AuditLog) -> list[tuple[str, dict[str, object]]]:
    out = []
    for record in audit.records():
        data = json.loads(record.data)
        out.append((data["event"], data["details"]))
    return out


def test_each_action_is_done_and_audited(store: Store, vault: Vault, tmp_path: Path) -> None:
    signer = Signer.load_or_create(tmp_path / "signing.key")
    audit = AuditLog(store.engine, signer)
    tenant, keys = lifecycle.create_tenant(
        store, vault, audit, "한빛은행", "finance", allowed_models=["hanji-ko"]
    )
    assert tenant.allowed_models == ("hanji-ko",) and keys.provider.startswith("local-file:")
    record, _ = issue_key(store, PEPPER, "한빛은행", rpm=60, audit=audit)
    assert lifecycle.revoke_key(store, audit, record.id).revoked_at is not None
    changed = lifecycle.set_policy(
        store, audit, "한빛은행", {"retention_days": 30}, pii=["phone=block"]
    )
    assert changed.policy == {"retention_days": 30, "pii": {"PHONE": "block"}}
    merged = lifecycle.set_policy(store, audit, "한빛은행", {}, pii=["email=mask"])
    assert merged.policy["pii"] == {"PHONE": "block", "EMAIL": "mask"}
    unchanged = lifecycle.set_policy(store, audit, "한빛은행", {})  # nothing to write
    assert unchanged.policy == merged.policy
    with pytest.raises(PolicyError, match="TYPE=ACTION"):
        lifecycle.set_policy(store, audit, "한빛은행", {}, pii=["PHONE"])
    _, rotated = lifecycle.rotate_key(store, vault, audit, "한빛은행")
    assert rotated.rewrapped == 1
    issue_key(store, PEPPER, "한빛은행")
    shredded = lifecycle.shred(store, vault, audit, "한빛은행")
    assert shredded.api_keys_revoked == 1 and shredded.report.keys_destroyed == 2

    assert [event for event, _ in events(audit)] == [
        "tenant.create",
        "key.create",
        "key.revoke",
        "tenant.policy",
        "tenant.policy",
        "tenant.rotate_key",
        "tenant.shred",
    ]
    assert events(audit)[-1][1]["api_keys_revoked"] == 1
    assert len(audit.checkpoints()) == 7  # one signed checkpoint over each action
    assert verify_log(audit, [signer.public]).ok


def test_without_an_audit_log_nothing_is_written(store: Store, vault: Vault) -> None:
    lifecycle.create_tenant(store, vault, None, "세종시청", "public")
    lifecycle.set_policy(store, None, "세종시청", {"max_tokens": 64})
    assert AuditLog(store.engine).count() == 0


def test_rename_and_delete_are_audited(store: Store, vault: Vault, tmp_path: Path) -> None:
    signer = Signer.load_or_create(tmp_path / "signing.key")
    audit = AuditLog(store.engine, signer)
    tenant, _ = lifecycle.create_tenant(store, vault, audit, "한빛은행", "finance")
    lifecycle.set_policy(store, audit, "한빛은행", {"retention_days": 30})
    issue_key(store, PEPPER, "한빛은행", audit=audit)
    vault.seal(tenant.id, "conversation", b"secret")

    renamed = lifecycle.rename_tenant(store, audit, "한빛은행", "bank[red]A")
    assert renamed.id == tenant.id and renamed.policy == {"retention_days": 30}
    deleted = lifecycle.delete_tenant(store, vault, audit, "bank[red]A")
    assert deleted.api_keys_revoked == 1 and deleted.report.records_unreadable == 1

    assert [event for event, _ in events(audit)][-2:] == ["tenant.rename", "tenant.delete"]
    assert events(audit)[-2][1] == {"old_name": "한빛은행", "new_name": "bank[red]A"}
    details = events(audit)[-1][1]
    assert details["name"] == "bank[red]A" and details["api_keys_revoked"] == 1
    assert [json.loads(r.data)["tenant_id"] for r in audit.records()][-2:] == [tenant.id] * 2
    assert verify_log(audit, [signer.public]).ok
    assert store.list_tenants() == [] and store.list_keys() == []
    assert store.tenant_names() == {tenant.id: "bank[red]A (deleted)"}
