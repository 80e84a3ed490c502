"""Tenant and key store on SQLite, and on a real PostgreSQL when its binaries are here."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from hanji.audit.chain import admin_entry
from hanji.audit.log import AuditLog
from hanji.audit.signing import Signer
from hanji.audit.tables import AuditBase
from hanji.audit.verify import verify_log
from hanji.tenants.keys import hash_key, issue_key
from hanji.tenants.store import Store, StoreError
from hanji.tenants.tables import TenantBase
from hanji.vault import Shredded, Vault
from hanji.vault.tables import VaultBase

PEPPER = b"0123456789abcdef0123456789abcdef"


def exercise(store: Store) -> None:
    """The full tenant/key life cycle, for any database URL."""
    tenant = store.create_tenant(
        "한빛은행", "finance", allowed_models=["hanji-ko"], allowed_hosts=["VLLM.internal."]
    )
    assert tenant.allowed_hosts == ("vllm.internal",) and tenant.may_use("hanji-ko")
    assert not tenant.may_use("gpt-x")
    with pytest.raises(StoreError, match="already exists"):
        store.create_tenant("한빛은행", "public")
    # NFD input names the same tenant as NFC
    decomposed = unicodedata.normalize("NFD", "한빛은행")
    assert decomposed != "한빛은행" and store.get_tenant(decomposed) == tenant

    record, key = issue_key(store, PEPPER, "한빛은행", rpm=60, label="배치")
    assert key.startswith("hk-") and key not in repr(record)
    found = store.authenticate(hash_key(PEPPER, key))
    assert found is not None and found[0].id == tenant.id and found[1].rpm == 60
    assert [k.id for k in store.list_keys("한빛은행")] == [record.id]

    revoked = store.revoke_key(record.id)
    assert not revoked.active
    assert store.authenticate(hash_key(PEPPER, key)) is None
    with pytest.raises(StoreError, match="no key"):
        store.revoke_key("key_missing")
    with pytest.raises(StoreError, match="no tenant"):
        issue_key(store, PEPPER, "없는회사")


def test_sqlite_life_cycle(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'deep' / 'hanji.db'}")
    try:
        exercise(store)
        # the database never holds a key in clear
        assert b"hk-" not in (tmp_path / "deep" / "hanji.db").read_bytes()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("name", "profile", "hosts", "message"),
    [
        ("", "general", [], "1 to 64"),
        ("두 단어", "general", [], "spaces"),
        ("-x", "general", [], "start with"),
        ("ok", "secret", [], "--profile"),
        ("ok", "general", ["not a host!"], "--allow-host"),
    ],
)
def test_bad_tenants_are_refused_with_the_flag_named(
    tmp_path: Path, name: str, profile: str, hosts: list[str], message: str
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        with pytest.raises(StoreError, match=message):
            store.create_tenant(name, profile, allowed_hosts=hosts)
    finally:
        store.close()


@pytest.mark.slow
def test_postgresql_life_cycle(postgres_url: str) -> None:
    store = Store(postgres_url)
    try:
        exercise(store)
    finally:
        TenantBase.metadata.drop_all(store.engine)
        store.close()


@pytest.mark.slow
def test_postgresql_vault_and_audit(postgres_url: str, tmp_path: Path) -> None:
    """What the gateway persists besides keys (sealed records, the audit chain) on PostgreSQL."""
    store = Store(postgres_url)
    keks = tmp_path / "keks"
    try:
        vault = Vault(
            store.engine,
            default_provider=lambda t: f"local-file:{keks}/{t}.json",
            managed_dir=keks,
            cache_ttl_s=0,
        )
        secret = "카나리아 주민번호 900101-1234568".encode()
        rid = vault.seal("ten_pg", "conversation", secret)
        assert vault.open("ten_pg", rid) == secret
        assert vault.rotate("ten_pg").rewrapped == 1
        assert vault.open("ten_pg", rid) == secret
        assert vault.shred("ten_pg").records_unreadable == 1
        with pytest.raises(Shredded):
            vault.open("ten_pg", rid)

        signer = Signer.load_or_create(tmp_path / "signing.key")
        audit = AuditLog(store.engine, signer)
        for i in range(3):
            audit.append([admin_entry("test.event", "ten_pg", n=i)])
        assert audit.checkpoint() is not None
        assert verify_log(audit, [signer.public]).ok
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE audit_records SET data = replace(data, '\"n\":1', '\"n\":7')"
            )
        verdict = verify_log(audit, [signer.public])
        assert not verdict.ok and verdict.first_bad == 2
    finally:
        VaultBase.metadata.drop_all(store.engine)
        AuditBase.metadata.drop_all(store.engine)
        TenantBase.metadata.drop_all(store.engine)
        store.close()


@pytest.mark.slow
def test_postgresql_counts_changes_and_shares_rate_buckets(postgres_url: str) -> None:
    """Triggers keep `auth_changes` on PostgreSQL too, so gateways may cache keys there; two
    stores (two replicas) take from one bucket row."""
    first, second = Store(postgres_url), Store(postgres_url)
    try:
        before = second.auth_changes()
        assert before is not None
        first.create_tenant("새마을금고", "finance")
        key, _ = issue_key(first, PEPPER, "새마을금고")
        after_issue = second.auth_changes()
        assert after_issue is not None and after_issue > before
        first.revoke_key(key.id)
        after_revoke = second.auth_changes()
        assert after_revoke is not None and after_revoke > after_issue
        first.set_policy("새마을금고", {})  # a policy change moves it too
        assert second.auth_changes() > after_revoke  # type: ignore[operator]
        taken = [s.take_allowance(key.id, "rpm", 3, 1.0, 1000.0) for s in (first, second) * 2]
        assert taken[:3] == [None, None, None] and taken[3] is not None
        first.delete_tenant(first.require_tenant("새마을금고").id)
    finally:
        TenantBase.metadata.drop_all(first.engine)
        first.close()
        second.close()
