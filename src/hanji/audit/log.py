"""`AuditLog`: append, checkpoint, read, export and prune the chain in a database."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hanji.audit.chain import (
    GENESIS,
    StoredRecord,
    admin_entry,
    as_utc,
    chained,
    iso,
    parse_iso,
)
from hanji.audit.signing import Checkpoint, Signer, checkpoint_message
from hanji.audit.sink import CheckpointSink
from hanji.audit.tables import AuditBase, AuditCheckpointRow, AuditRecordRow


class AuditLog:
    """Append, checkpoint, read, export and prune the chain in the gateway's database."""

    def __init__(
        self, engine: Engine, signer: Signer | None = None, sink: CheckpointSink | None = None
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.sink = sink
        AuditBase.metadata.create_all(engine)

    def _head(self, session: Session | Connection) -> tuple[int, str]:
        last = session.execute(
            select(AuditRecordRow.seq, AuditRecordRow.hash)
            .order_by(AuditRecordRow.seq.desc())
            .limit(1)
        ).first()
        if last is None:  # empty, or pruned up to a checkpoint: go on from that
            last = session.execute(
                select(AuditCheckpointRow.seq, AuditCheckpointRow.hash)
                .order_by(AuditCheckpointRow.seq.desc())
                .limit(1)
            ).first()
        return (int(last[0]), str(last[1])) if last else (0, GENESIS)

    def append(self, entries: Sequence[dict[str, Any]], *, attempts: int = 20) -> int:
        """Chain and store entries in one transaction; returns the last sequence number.

        Two writers (two servers on one PostgreSQL, a CLI beside a server) cannot fork the
        chain: the sequence number is the primary key, so the loser of a race retries on
        top of the winner's records. Core, not the ORM: the server appends on every request.
        """
        table = AuditRecordRow.__table__
        for attempt in range(attempts):
            try:
                with self.engine.begin() as conn:
                    seq, prev = self._head(conn)
                    rows = []
                    for entry in entries:
                        seq += 1
                        data = {**entry, "seq": seq, "prev_hash": prev}
                        text, prev = chained(data)
                        rows.append(
                            {
                                "seq": seq,
                                "time": parse_iso(data["time"]),
                                "tenant_id": data.get("tenant_id"),
                                "data": text,
                                "hash": prev,
                            }
                        )
                    if rows:
                        conn.execute(insert(table), rows)
                return seq
            except IntegrityError:
                time.sleep(0.005 * (attempt + 1))
        raise RuntimeError("audit append kept losing races with another writer")

    def record_action(self, event: str, tenant_id: str | None, **details: Any) -> None:
        """Append one operator action (`admin_entry`) and sign a checkpoint over it."""
        self.append([admin_entry(event, tenant_id, **details)])
        self.checkpoint()

    def head(self) -> tuple[int, str]:
        with Session(self.engine) as session:
            return self._head(session)

    def checkpoint(self) -> Checkpoint | None:
        """Sign the latest record (unless already signed); None without a signer or records.

        The checkpoint is stored, then copied to the external sink if there is one.
        """
        if self.signer is None:
            return None
        with Session(self.engine) as session, session.begin():
            seq, digest = self._head(session)
            if seq == 0 or session.get(AuditCheckpointRow, seq) is not None:
                return None
            now = datetime.now(UTC)
            when = iso(now)
            sig = self.signer.sign(checkpoint_message(seq, digest, when, self.signer.key_id))
            session.add(
                AuditCheckpointRow(
                    seq=seq, hash=digest, time=now, key_id=self.signer.key_id, signature=sig
                )
            )
            checkpoint = Checkpoint(seq, digest, when, self.signer.key_id, sig)
        if self.sink is not None:
            self.sink.append(checkpoint)
        return checkpoint

    def records(self) -> Iterator[StoredRecord]:
        """Every stored record in position order, streamed."""
        with Session(self.engine) as session:
            result = session.execute(
                select(AuditRecordRow.seq, AuditRecordRow.data, AuditRecordRow.hash).order_by(
                    AuditRecordRow.seq
                ),
                execution_options={"yield_per": 2000},
            )
            for seq, data, digest in result:
                yield StoredRecord(int(seq), data, digest)

    def checkpoints(self) -> list[Checkpoint]:
        with Session(self.engine) as session:
            rows = session.scalars(select(AuditCheckpointRow).order_by(AuditCheckpointRow.seq))
            return [
                Checkpoint(r.seq, r.hash, iso(as_utc(r.time)), r.key_id, r.signature) for r in rows
            ]

    def export(
        self, start: datetime, end: datetime, tenant_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records whose time is in [start, end), each with its hash, in chain order."""
        query = select(AuditRecordRow.data, AuditRecordRow.hash).where(
            AuditRecordRow.time >= start, AuditRecordRow.time < end
        )
        if tenant_id is not None:
            query = query.where(AuditRecordRow.tenant_id == tenant_id)
        with Session(self.engine) as session:
            for data, digest in session.execute(query.order_by(AuditRecordRow.seq)):
                yield {**json.loads(data), "hash": digest}

    def prune(self, before: datetime) -> int:
        """Delete records written before ``before``, up to the last checkpoint older than it.

        The checkpoint stays: it anchors the first remaining record, so the rest of the
        chain still verifies.
        """
        with Session(self.engine) as session, session.begin():
            anchor = session.scalar(
                select(func.max(AuditCheckpointRow.seq)).where(AuditCheckpointRow.time < before)
            )
            if anchor is None:
                return 0
            gone = session.execute(
                delete(AuditRecordRow).where(AuditRecordRow.seq <= anchor)
            ).rowcount
        return int(gone or 0)

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(AuditRecordRow)) or 0)
