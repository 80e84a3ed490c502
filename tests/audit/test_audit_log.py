"""The audit log: chained records, signed checkpoints, each kind of tampering found."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from hanji.audit.chain import admin_entry, record_hash
from hanji.audit.cli import app as audit_app
from hanji.audit.log import AuditLog
from hanji.audit.signing import Signer
from hanji.audit.verify import verify_jsonl, verify_log
from hanji.settings import Settings
from hanji.tenants.store import Store

runner = CliRunner()


def entry(i: int) -> dict[str, object]:
    return {
        "event": "request",
        "time": f"2025-03-0{1 + i % 5}T09:00:00.{i:06d}Z",
        "tenant_id": "ten_a" if i % 2 else "ten_b",
        "route": "/v1/chat/completions",
        "status": 200,
        "decisions": {"pii_in": {"RRN": 1}},
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store(settings.db_url)
    yield s
    s.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return Signer.load_or_create(tmp_path / "keys" / "signing.key")


@pytest.fixture
def audit(db: Path, signer: Signer) -> Iterator[AuditLog]:
    engine = create_engine(f"sqlite:///{db}")
    log = AuditLog(engine, signer)
    for i in range(1, 11):
        log.append([entry(i)])
        if i in (4, 8):
            log.checkpoint()
    yield log
    engine.dispose()


def sql(db: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    with sqlite3.connect(db) as conn:
        for statement, args in statements:
            conn.execute(statement, args)


def row(db: Path, seq: int) -> tuple[str, str]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select data, hash from audit_records where seq=?", (seq,)).fetchone()


def check(audit: AuditLog, signer: Signer) -> tuple[int | None, str]:
    verdict = verify_log(audit, [signer.public])
    return verdict.first_bad, verdict.reason


def test_intact_chain_verifies(audit: AuditLog, signer: Signer) -> None:
    verdict = verify_log(audit, [signer.public])
    assert verdict.ok and verdict.records == 10 and verdict.checkpoints == 2
    data, digest = audit.records().__next__().data, audit.checkpoints()[0].hash
    assert json.loads(data)["prev_hash"] == "0" * 64 and len(digest) == 64


def test_edit_is_found(audit: AuditLog, signer: Signer, db: Path) -> None:
    data, _ = row(db, 6)
    sql(db, ("update audit_records set data=? where seq=6", (data.replace("200", "500"),)))
    assert check(audit, signer) == (6, "its content does not match its hash (edited)")


def test_edit_with_recomputed_hash_breaks_the_link(
    audit: AuditLog, signer: Signer, db: Path
) -> None:
    data = json.loads(row(db, 6)[0])
    data["status"] = 500
    forged = json.dumps(data)
    sql(db, ("update audit_records set data=?, hash=? where seq=6", (forged, record_hash(data))))
    first, reason = check(audit, signer)
    assert first == 7 and "does not follow seq 6" in reason


def test_delete_is_found(audit: AuditLog, signer: Signer, db: Path) -> None:
    sql(db, ("delete from audit_records where seq=5", ()))
    assert check(audit, signer) == (6, "the record before it (seq 5) is missing (deleted)")


def test_deleting_the_tail_is_caught_by_the_checkpoint(
    audit: AuditLog, signer: Signer, db: Path
) -> None:
    sql(db, ("delete from audit_records where seq>=7", ()))
    first, reason = check(audit, signer)
    assert first == 7 and "checkpoint covers seq 8" in reason


def test_insert_is_found(audit: AuditLog, signer: Signer, db: Path) -> None:
    # shift 5..10 one place up, then slip a well-formed forged record in at 5
    with sqlite3.connect(db) as conn:
        for seq in range(10, 4, -1):
            conn.execute("update audit_records set seq=? where seq=?", (seq + 1, seq))
        prev = conn.execute("select hash from audit_records where seq=4").fetchone()[0]
        forged = {**entry(99), "seq": 5, "prev_hash": prev}
        conn.execute(
            "insert into audit_records (seq, time, tenant_id, data, hash) values (?,?,?,?,?)",
            (5, "2025-03-01 09:00:00", "ten_a", json.dumps(forged), record_hash(forged)),
        )
    first, reason = check(audit, signer)
    assert first == 6 and "sealed as seq 5" in reason and "inserted" in reason


def test_reorder_is_found(audit: AuditLog, signer: Signer, db: Path) -> None:
    three, four = row(db, 3), row(db, 4)
    sql(
        db,
        ("update audit_records set data=?, hash=? where seq=3", four),
        ("update audit_records set data=?, hash=? where seq=4", three),
    )
    first, reason = check(audit, signer)
    assert first == 3 and "reordered" in reason


def test_rewriting_the_whole_tail_needs_the_signing_key(
    audit: AuditLog, signer: Signer, db: Path
) -> None:
    prev = row(db, 5)[1]
    with sqlite3.connect(db) as conn:  # a DBA re-chains 6..10 with valid hashes
        for seq in range(6, 11):
            data = json.loads(row(db, seq)[0])
            data["status"], data["prev_hash"] = 403, prev
            prev = record_hash(data)
            conn.execute(
                "update audit_records set data=?, hash=? where seq=?", (json.dumps(data), prev, seq)
            )
    first, reason = check(audit, signer)
    assert first == 8 and "signed checkpoint" in reason
    # rewriting the checkpoint too fools a check without the public key (a warning says
    # so), never one with it
    sql(db, ("update audit_checkpoints set hash=? where seq=8", (row(db, 8)[1],)))
    verdict = verify_log(audit)
    assert verdict.ok and "not checked" in verdict.warnings[0]
    first, reason = check(audit, signer)
    assert first == 8 and "invalid signature" in reason


def test_forged_or_foreign_signatures_are_found(
    audit: AuditLog, signer: Signer, db: Path, tmp_path: Path
) -> None:
    other = Signer.load_or_create(tmp_path / "other.key")
    assert not verify_log(audit, [other.public]).ok  # signed by a key we do not trust
    sql(db, ("update audit_checkpoints set hash=? where seq=4", (row(db, 3)[1],)))
    first, reason = check(audit, signer)
    assert first == 4 and "invalid signature" in reason


def test_prune_keeps_the_rest_verifiable(audit: AuditLog, signer: Signer, db: Path) -> None:
    assert audit.prune(datetime.now(UTC) + timedelta(seconds=1)) == 8  # up to the last checkpoint
    assert verify_log(audit, [signer.public]).ok
    audit.append([entry(11)])
    assert verify_log(audit, [signer.public]).ok and audit.head()[0] == 11
    sql(db, ("delete from audit_checkpoints where seq=8", ()))  # remove the anchor
    first, reason = check(audit, signer)
    assert first == 9 and "no signed checkpoint anchors" in reason


def test_concurrent_writers_never_fork_the_chain(db: Path, signer: Signer) -> None:
    logs = [AuditLog(create_engine(f"sqlite:///{db}"), signer) for _ in range(2)]

    def write(log: AuditLog) -> None:
        for i in range(30):
            log.append([entry(i)])

    threads = [threading.Thread(target=write, args=(log,)) for log in logs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = verify_log(logs[0], [signer.public])
    assert verdict.ok and verdict.records == 60


def test_cli_verify_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings, store: Store
) -> None:
    monkeypatch.setenv("HANJI_HOME", str(settings.home))
    from hanji.tenants.home import open_audit

    log = open_audit(settings, store)
    log.append([entry(i) for i in range(1, 8)])
    log.append([admin_entry("tenant.shred", "ten_a", keys_destroyed=2)])
    log.checkpoint()
    ok = runner.invoke(audit_app, ["verify"])
    assert ok.exit_code == 0 and "intact: 8 records, 1 signed checkpoints" in ok.stdout

    out = tmp_path / "march.jsonl"
    exported = runner.invoke(
        audit_app, ["export", "--from", "2025-03-02", "--to", "2025-03-03", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["seq"] for x in lines] == [1, 2, 6, 7]  # 2 March through 3 March inclusive
    assert all(x["time"].startswith(("2025-03-02", "2025-03-03")) for x in lines)
    assert all(record_hash(x) == x["hash"] for x in lines)
    whole = tmp_path / "all.jsonl"
    runner.invoke(
        audit_app, ["export", "--from", "2020-01-01", "--to", "2100-01-01", "--out", str(whole)]
    )
    assert runner.invoke(audit_app, ["verify", "--file", str(whole)]).exit_code == 0
    text = whole.read_text().replace('"status": 200', '"status": 201', 1)
    assert not verify_jsonl(text.splitlines()).ok

    sql(settings.home / "hanji.db", ("delete from audit_records where seq=3", ()))
    broken = runner.invoke(audit_app, ["verify"])
    assert broken.exit_code == 1 and "record seq 4" in broken.stdout
    bad = runner.invoke(audit_app, ["export", "--from", "2025-03-05", "--to", "2025-03-01"])
    assert bad.exit_code == 2 and "--to must come after --from" in bad.output
