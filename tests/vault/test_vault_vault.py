"""The vault: envelope encryption per tenant, isolation, rotation, crypto-shredding, purge."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hanji.vault import KeyProviderError, RecordNotFound, Shredded, Vault, VaultError


def canary() -> bytes:
    return f"카나리아-{secrets.token_hex(8)} 주민번호 900101-1234568".encode()


def files_under(*roots: Path) -> bytes:
    blob = b""
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                blob += path.read_bytes()
    return blob


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def vault(home: Path) -> Vault:
    home.mkdir()
    return Vault(
        f"sqlite:///{home / 'hanji.db'}",
        default_provider=lambda t: f"local-file:{home}/keks/{t}.json",
        managed_dir=home / "keks",
        cache_ttl_s=0,
    )


def test_database_holds_ciphertext_only(vault: Vault, home: Path) -> None:
    secret = canary()
    rid = vault.seal("ten_a", "conversation", secret)
    assert vault.open("ten_a", rid) == secret
    vault.engine.dispose()
    on_disk = files_under(home)
    assert secret not in on_disk and secret[:20] not in on_disk and b"1234568" not in on_disk
    status = vault.status("ten_a")
    assert status is not None and status.records == 1 and status.data_keys == 1


def test_tenants_cannot_read_each_other(vault: Vault, home: Path) -> None:
    a = vault.seal("ten_a", "conversation", b"A's data")
    b = vault.seal("ten_b", "conversation", b"B's data")
    with pytest.raises(RecordNotFound):
        vault.open("ten_a", b)  # another tenant's record does not exist for A
    # an operator copying B's ciphertext into A's row gets nothing either
    with sqlite3.connect(home / "hanji.db") as db:
        nonce, ct, dek = db.execute(
            "select nonce, ciphertext, dek_id from vault_records where id=?", (b,)
        ).fetchone()
        db.execute("update vault_records set nonce=?, ciphertext=? where id=?", (nonce, ct, a))
    with pytest.raises(VaultError, match="failed authentication"):
        vault.open("ten_a", a)
    with sqlite3.connect(home / "hanji.db") as db:  # ...even pointing A's row at B's key
        db.execute("update vault_records set dek_id=? where id=?", (dek, a))
    with pytest.raises(VaultError, match="data key of this record is gone"):
        vault.open("ten_a", a)
    blob = vault.encrypt("ten_b", "document", "doc-1", b"B's document")
    with pytest.raises(VaultError):
        vault.decrypt("ten_a", "document", "doc-1", blob)
    with pytest.raises(VaultError):
        vault.decrypt("ten_b", "document", "doc-2", blob)
    assert vault.decrypt("ten_b", "document", "doc-1", blob) == b"B's document"


def test_rotation_rewraps_and_keeps_records_readable(
    vault: Vault, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = vault.seal("ten_a", "conversation", b"before rotation")
    with sqlite3.connect(home / "hanji.db") as db:
        (wrapped_before,) = db.execute("select wrapped from vault_data_keys").fetchone()
    report = vault.rotate("ten_a")
    assert report.rewrapped == 1
    new = vault.seal("ten_a", "conversation", b"after rotation")
    with sqlite3.connect(home / "hanji.db") as db:
        rows = dict(db.execute("select id, wrapped from vault_data_keys").fetchall())
        used = dict(db.execute("select id, dek_id from vault_records").fetchall())
    assert len(rows) == 2 and wrapped_before not in rows.values()
    assert used[new] == report.active_key != used[old]
    assert vault.open("ten_a", old) == b"before rotation"
    # to a customer-held key in an environment variable
    monkeypatch.setenv("HANBIT_KEK", os.urandom(32).hex())
    moved = vault.rotate("ten_a", "env:HANBIT_KEK")
    assert moved.rewrapped == 2 and vault.status("ten_a").provider == "env:HANBIT_KEK"  # type: ignore[union-attr]
    assert vault.open("ten_a", old) == b"before rotation"
    monkeypatch.setenv("HANBIT_KEK", os.urandom(32).hex())  # the customer pulls the key
    with pytest.raises(KeyProviderError, match="different key"):
        vault.open("ten_a", new)


def test_shred_makes_every_copy_unreadable(vault: Vault, home: Path, tmp_path: Path) -> None:
    secret = canary()
    rid = vault.seal("ten_a", "conversation", secret)
    other = vault.seal("ten_b", "conversation", b"B stays")
    vault.compact()
    backup = tmp_path / "backup.db"
    shutil.copy(home / "hanji.db", backup)  # what a nightly backup would hold
    with sqlite3.connect(home / "hanji.db") as db:
        wrapped = [
            w for (w,) in db.execute("select wrapped from vault_data_keys where tenant_id='ten_a'")
        ]

    report = vault.shred("ten_a")
    assert report.keys_destroyed == 1 and report.records_unreadable == 1 and report.kek_destroyed
    with pytest.raises(Shredded):
        vault.open("ten_a", rid)
    with pytest.raises(Shredded):
        vault.seal("ten_a", "conversation", b"new data after shred")
    assert vault.open("ten_b", other) == b"B stays"
    vault.engine.dispose()
    on_disk = files_under(home)
    assert all(w not in on_disk for w in wrapped)  # zeroed, not left in free pages
    assert secret not in on_disk

    # the backup still has the wrapped key, but the KEK that unwraps it is gone
    restored = Vault(
        f"sqlite:///{backup}",
        default_provider=lambda t: f"local-file:{home}/keks/{t}.json",
        cache_ttl_s=0,
    )
    with pytest.raises(KeyProviderError, match="does not exist"):
        restored.open("ten_a", rid)
    assert secret not in backup.read_bytes()

    assert vault.purge() == 1  # the unreadable ciphertext goes at the next purge
    assert [r.id for r in vault.records("ten_b")] == [other]


def test_purge_deletes_only_expired(vault: Vault) -> None:
    now = datetime.now(UTC)
    keep = vault.seal("ten_a", "conversation", b"30 days", expires_at=now + timedelta(days=30))
    vault.seal("ten_a", "conversation", b"yesterday", expires_at=now - timedelta(days=1))
    forever = vault.seal("ten_a", "document", b"no expiry")
    assert vault.purge(now) == 1
    assert {r.id for r in vault.records("ten_a")} == {keep, forever}
    assert vault.purge(now + timedelta(days=31)) == 1


def test_errors_and_logs_never_carry_keys(
    vault: Vault, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = canary()
    rid = vault.seal("ten_a", "conversation", secret)
    kek_file = (home / "keks" / "ten_a.json").read_text()
    messages: list[str] = []
    (home / "keks" / "ten_a.json").write_text(kek_file.replace('"current"', '"curren"'))
    for call in (
        lambda: vault.open("ten_a", rid),
        lambda: vault.open("ten_a", "rec_nope"),
        lambda: vault.configure("ten_a", "env:OTHER"),
    ):
        try:
            call()
        except VaultError as exc:
            messages.append(str(exc) + repr(exc))
    assert len(messages) == 3
    text = "\n".join(messages) + caplog.text + repr(vault.provider(f"local-file:{home}/k.json"))
    for value in __import__("json").loads(kek_file)["keys"].values():
        assert value not in text
    assert secret.decode() not in text
