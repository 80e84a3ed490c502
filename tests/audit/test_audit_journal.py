"""The audit journal: what a process journalled reaches the chain after it dies, once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from hanji.audit.cli import app as audit_app
from hanji.audit.journal import Journal, pending, recover
from hanji.audit.log import AuditLog
from hanji.audit.signing import Signer
from hanji.audit.sink import FileSink, read_checkpoints
from hanji.audit.verify import verify_log
from hanji.audit.writer import AuditWriter

runner = CliRunner()


def start(i: int) -> dict[str, object]:
    return {
        "event": "request",
        "time": f"2026-12-04T09:00:{i:02d}.000000Z",
        "request_id": f"req{i:03d}",
        "tenant_id": "ten_a",
        "route": "/v1/chat/completions",
        "stream": True,
        "status": 200,
    }


def done(i: int) -> dict[str, object]:
    return {**start(i), "outcome": "completed", "sent_bytes": 120, "completion_tokens": 7}


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(create_engine(f"sqlite:///{tmp_path / 'audit.db'}"))


def chain(log: AuditLog) -> list[dict[str, object]]:
    return [json.loads(r.data) for r in log.records()]


def test_a_dead_process_journal_is_recovered_once(tmp_path: Path, log: AuditLog) -> None:
    journal = Journal(tmp_path / "journal")
    for i in range(3):
        journal.start(start(i), i)
    journal.entry(done(0), 1)
    journal.entry(done(1), 2)
    # req000 reached the chain before the crash; req001 was answered but not committed;
    # req002 was streaming when the process died.
    log.append([done(0)])
    assert pending(tmp_path / "journal") == 0  # the process still holds its journal
    assert recover(tmp_path / "journal", log) == (0, 0)
    journal.close(clean=False)  # the process is gone: its lock with it
    assert pending(tmp_path / "journal") == 5
    assert recover(tmp_path / "journal", log) == (2, 1)
    records = sorted(chain(log), key=lambda r: str(r["request_id"]))
    assert [(r["request_id"], r["outcome"]) for r in records] == [
        ("req000", "completed"),
        ("req001", "completed"),
        ("req002", "interrupted"),
    ]
    assert records[2]["recovered"] == "process_died" and records[1]["sent_bytes"] == 120
    assert list((tmp_path / "journal").iterdir()) == []
    assert recover(tmp_path / "journal", log) == (0, 0)  # nothing twice
    assert verify_log(log).ok


def test_a_torn_last_line_is_ignored(tmp_path: Path, log: AuditLog) -> None:
    journal = Journal(tmp_path / "journal")
    journal.entry(done(1), 1)
    journal.close(clean=False)
    (path,) = (tmp_path / "journal").iterdir()
    data = path.read_bytes()
    assert data.endswith(b"\0")  # the segment's unwritten rest
    with path.open("r+b") as handle:  # killed in the middle of storing the next line
        handle.seek(data.index(b"\0"))
        handle.write(b'{"kind":"entry","request_id":"req9')
    assert recover(tmp_path / "journal", log) == (1, 0)


def test_segments_rotate_and_are_deleted_once_committed(tmp_path: Path, log: AuditLog) -> None:
    journal = Journal(tmp_path / "journal", segment_bytes=600)
    journal.start(start(0), 0)  # a long stream, still in flight across rotations
    for i in range(1, 12):
        journal.entry(done(i), i)
    files = sorted((tmp_path / "journal").iterdir())
    assert len(files) >= 3
    log.append([done(i) for i in range(1, 12)])  # the writer thread committed them
    journal.committed(11)
    (left,) = sorted((tmp_path / "journal").iterdir())
    assert left == files[-1]
    assert '"request_id":"req000"' in left.read_text()  # the open start was carried over
    journal.close(clean=False)
    assert recover(tmp_path / "journal", log) == (1, 1)  # only what was not committed


def test_the_writer_journals_before_it_queues(tmp_path: Path, log: AuditLog) -> None:
    """While the database takes nothing (a stalled disk), everything is in the journal."""

    class Stalled(AuditLog):
        def append(self, entries: object, **kw: object) -> int:
            raise OSError("disk stalled")

    journal = Journal(tmp_path / "journal")
    stalled = Stalled(log.engine)
    writer = AuditWriter(stalled, retry_s=3600.0, journal=journal)

    class Record:
        def __init__(self, i: int) -> None:
            self.__dict__.update(
                time=1_780_000_000.0 + i,
                request_id=f"req{i:03d}",
                tenant_id="ten_a",
                key_id="key_a",
                method="POST",
                route="/v1/chat/completions",
                model="m",
                backend="fake",
                backend_host=None,
                stream=False,
                status=200,
                error_code=None,
                prompt_tokens=3,
                completion_tokens=4,
                latency_ms=1.5,
                unknown_fields=(),
                decisions={},
                outcome="completed",
                sent_bytes=99,
            )

    for i in range(5):
        writer.started(Record(i))
        writer.emit(Record(i))
    assert log.count() == 0
    journal.close(clean=False)  # what kill -9 leaves behind
    fresh = AuditLog(create_engine(f"sqlite:///{tmp_path / 'other.db'}"))
    assert recover(tmp_path / "journal", fresh) == (5, 0)
    assert [r["request_id"] for r in chain(fresh)] == [f"req{i:03d}" for i in range(5)]


def test_an_external_sink_catches_a_deleted_tail_with_its_checkpoints(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "audit.db"
    signer = Signer.load_or_create(tmp_path / "keys" / "signing.key")
    sink = tmp_path / "elsewhere" / "checkpoints.jsonl"
    log = AuditLog(create_engine(f"sqlite:///{db}"), signer, FileSink(sink))
    for i in range(1, 11):
        log.append([done(i)])
        if i in (4, 8):
            log.checkpoint()
    verdict = verify_log(log, [signer.public])
    assert verdict.ok and verdict.uncovered == 2
    assert "2 records after the last signed checkpoint" in verdict.message()
    external = read_checkpoints(sink.read_text().splitlines(), str(sink))
    assert [c.seq for c in external] == [4, 8]
    with sqlite3.connect(db) as conn:  # someone with write access to the database only
        conn.execute("delete from audit_records where seq >= 6")
        conn.execute("delete from audit_checkpoints where seq = 8")
    assert verify_log(log, [signer.public]).ok  # the database alone cannot tell
    verdict = verify_log(log, [signer.public], external)
    assert not verdict.ok and verdict.first_bad == 6 and "covers seq 8" in verdict.reason


def test_cli_recover_verify_sink_and_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hanji.settings import Settings
    from hanji.tenants.home import open_audit
    from hanji.tenants.store import Store

    home = tmp_path / "home"
    sink = tmp_path / "sink.jsonl"
    monkeypatch.setenv("HANJI_HOME", str(home))
    monkeypatch.setenv("HANJI_AUDIT_CHECKPOINT_SINK", str(sink))
    settings = Settings()
    store = Store(settings.db_url)
    journal = Journal(settings.audit_journal_dir())
    journal.start(start(1), 0)
    journal.entry(done(2), 1)
    journal.close(clean=False)
    waiting = runner.invoke(audit_app, ["verify"])
    assert waiting.exit_code == 0 and "2 journal lines" in waiting.stdout
    recovered = runner.invoke(audit_app, ["recover"])
    assert recovered.exit_code == 0, recovered.output
    assert "recovered 2 audit records (1 interrupted" in recovered.stdout
    open_audit(settings, store).checkpoint()
    ok = runner.invoke(audit_app, ["verify", "--sink", str(sink)])
    assert ok.exit_code == 0 and "intact: 2 records" in ok.stdout, ok.output
    os.remove(sink)
    sink.write_text("{not a checkpoint\n")
    bad = runner.invoke(audit_app, ["verify", "--sink", str(sink)])
    assert bad.exit_code == 2 and "line 1 is not a hanji checkpoint" in bad.output
    store.close()
