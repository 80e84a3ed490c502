"""The audit log: append-only, hash-chained, metadata-only records with signed checkpoints.

Every finished request becomes one record: time, tenant, key id, route, model, backend,
status, token counts, latency, PII counts by type and the policy's decisions (never
content, never a key). Each record carries its sequence number and the previous record's
hash; its own hash is SHA-256 over its canonical JSON (sorted keys, no spaces, UTF-8, no
floats). Every so many records, and at shutdown, a checkpoint (sequence number and hash of
the latest record) is signed with the operator's Ed25519 key, so that rewriting the chain
needs the key, not just write access to the database.

`verify` finds an edited, deleted, inserted or reordered record and names the first bad
one. Records are written by a background thread in batches; if writing fails, the gateway
refuses new requests (fail closed) until it works again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import DateTime, Integer, String, Text, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hanji.serve.context import RequestRecord
from hanji.serve.store import Base

log = logging.getLogger("hanji.serve.audit")

GENESIS = "0" * 64
CHECKPOINT_TYPE = "hanji.audit.checkpoint/1"


class AuditRecordRow(Base):
    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    data: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the record, including ``seq`` and ``prev_hash``."""
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(256))


# ---------------------------------------------------------------- canonical form


def canonical(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes a record's hash is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in data.items() if k != "hash"})).hexdigest()


def _chained(data: dict[str, Any]) -> tuple[str, str]:
    """A record's stored text and its hash, from one encoding (what `record_hash` computes)."""
    if "hash" in data:
        return canonical(data).decode(), record_hash(data)
    encoded = canonical(data)
    return encoded.decode(), hashlib.sha256(encoded).hexdigest()


def _parse_iso(value: str) -> datetime:
    """The inverse of `_iso` (``...T12:00:00.000000Z``), aware, in UTC."""
    return datetime.fromisoformat(value).astimezone(UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    """JSON without floats (their text differs between languages): floats become strings."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def request_entry(record: RequestRecord) -> dict[str, Any]:
    """The audit form of a request record: metadata only, integers and strings."""
    return {
        "event": "request",
        "time": _iso(datetime.fromtimestamp(record.time, UTC)),
        "request_id": record.request_id,
        "tenant_id": record.tenant_id,
        "key_id": record.key_id,
        "method": record.method,
        "route": record.route,
        "model": record.model,
        "backend": record.backend,
        "backend_host": record.backend_host,
        "stream": record.stream,
        "status": record.status,
        "error_code": record.error_code,
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "latency_us": int(record.latency_ms * 1000),
        "unknown_fields": len(record.unknown_fields),  # names are the caller's text
        "decisions": _plain(record.decisions),
    }


def _entry(item: RequestRecord | dict[str, Any]) -> dict[str, Any]:
    return request_entry(item) if isinstance(item, RequestRecord) else item


def admin_entry(event: str, tenant_id: str | None, **details: Any) -> dict[str, Any]:
    """An operator action (tenant created, key revoked, keys rotated or shredded...)."""
    return {
        "event": event,
        "time": _iso(datetime.now(UTC)),
        "tenant_id": tenant_id,
        "actor": "cli",
        "details": _plain(details),
    }


# ---------------------------------------------------------------- signing


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_message(seq: int, hash_: str, when: str, kid: str) -> bytes:
    return canonical(
        {"type": CHECKPOINT_TYPE, "seq": seq, "hash": hash_, "time": when, "key_id": kid}
    )


class Signer:
    """The operator's Ed25519 checkpoint key (private); its public half verifies."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r})"

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def from_seed_hex(cls, value: str) -> Signer:
        try:
            seed = bytes.fromhex(value.strip())
        except ValueError:
            seed = b""
        if len(seed) != 32:
            raise ValueError("HANJI_AUDIT_SIGNING_KEY must be 64 hex characters (an Ed25519 seed)")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """A PEM key file, created 0600 on first use, with the public key next to it (.pub)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(pem)
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ValueError(f"audit signing key {path} is not an unencrypted PEM key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"audit signing key {path} is not an Ed25519 key")
        signer = cls(private)
        pub = public_key_path(path)
        if not pub.exists() or pub.read_bytes() != signer.public_pem():
            pub.write_bytes(signer.public_pem())
        return signer


def public_key_path(private_path: Path) -> Path:
    return private_path.with_suffix(".pub")


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(f"no public key at {path}") from None
    except ValueError:
        raise ValueError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


# ---------------------------------------------------------------- the log


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    key_id: str
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "time": self.time,
            "key_id": self.key_id,
            "signature": self.signature,
        }


@dataclass(frozen=True)
class StoredRecord:
    """A row as stored: the position it sits at, its JSON text and its claimed hash."""

    seq: int
    data: str
    hash: str


class AuditLog:
    """Append, checkpoint, read, export and prune the chain in the gateway's database."""

    def __init__(self, engine: Engine, signer: Signer | None = None) -> None:
        self.engine = engine
        self.signer = signer
        Base.metadata.create_all(
            engine, tables=[AuditRecordRow.__table__, AuditCheckpointRow.__table__]
        )

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
                        text, prev = _chained(data)
                        rows.append(
                            {
                                "seq": seq,
                                "time": _parse_iso(data["time"]),
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

    def head(self) -> tuple[int, str]:
        with Session(self.engine) as session:
            return self._head(session)

    def checkpoint(self) -> Checkpoint | None:
        """Sign the latest record (unless already signed); None without a signer or records."""
        if self.signer is None:
            return None
        with Session(self.engine) as session, session.begin():
            seq, digest = self._head(session)
            if seq == 0 or session.get(AuditCheckpointRow, seq) is not None:
                return None
            now = datetime.now(UTC)
            when = _iso(now)
            sig = self.signer.sign(checkpoint_message(seq, digest, when, self.signer.key_id))
            session.add(
                AuditCheckpointRow(
                    seq=seq, hash=digest, time=now, key_id=self.signer.key_id, signature=sig
                )
            )
            return Checkpoint(seq, digest, when, self.signer.key_id, sig)

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
                Checkpoint(r.seq, r.hash, _iso(_utc(r.time)), r.key_id, r.signature) for r in rows
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


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    checkpoints: int
    first_bad: int | None = None
    reason: str = ""
    request_id: str | None = None
    warnings: tuple[str, ...] = ()

    def message(self) -> str:
        if self.ok:
            text = (
                f"audit log intact: {self.records} records, {self.checkpoints} signed checkpoints"
            )
            return text + "".join(f"\nwarning: {w}" for w in self.warnings)
        what = f"record seq {self.first_bad}"
        if self.request_id:
            what += f" (request {self.request_id})"
        return f"audit log broken at {what}: {self.reason}"


def _check_signature(cp: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> str | None:
    public = keys.get(cp.key_id)
    if public is None:
        return f"checkpoint at seq {cp.seq} is signed by an unknown key {cp.key_id}"
    try:
        public.verify(
            bytes.fromhex(cp.signature), checkpoint_message(cp.seq, cp.hash, cp.time, cp.key_id)
        )
    except (InvalidSignature, ValueError):
        return f"checkpoint at seq {cp.seq} has an invalid signature"
    return None


def verify(
    records: Iterable[StoredRecord],
    checkpoints: Sequence[Checkpoint] = (),
    public_keys: Sequence[Ed25519PublicKey] = (),
) -> Verdict:
    """Walk the chain in position order; the verdict names the first bad record.

    Without public keys the chain is still checked, but checkpoints are not, which a
    warning says: someone who rewrote every hash from some record on would go unseen.
    """
    keys = {key_id(k): k for k in public_keys}
    by_seq = {cp.seq: cp for cp in checkpoints}
    bad: list[tuple[int, str, str | None]] = []
    warnings: list[str] = []
    if checkpoints and not keys:
        warnings.append("checkpoint signatures not checked: no public key given")
    elif keys:
        for cp in checkpoints:
            problem = _check_signature(cp, keys)
            if problem:
                bad.append((cp.seq, problem, None))
    prev_hash: str | None = None
    expected: int | None = None
    count = 0
    last_seq = 0
    for row in records:
        count += 1
        request_id = None
        try:
            data = json.loads(row.data)
            if not isinstance(data, dict):
                raise ValueError
            request_id = data.get("request_id")
        except ValueError:
            bad.append((row.seq, "its content is not a JSON record (edited)", None))
            break
        if expected is None:  # the first record: the genesis, or a checkpoint's record
            if row.seq == 1:
                prev_hash = GENESIS
            elif (row.seq - 1) in by_seq:
                prev_hash = by_seq[row.seq - 1].hash
            else:
                bad.append(
                    (
                        row.seq,
                        f"records before seq {row.seq} are missing and no signed checkpoint "
                        "anchors where the log starts (deleted)",
                        request_id,
                    )
                )
                break
        elif row.seq != expected:
            bad.append(
                (
                    row.seq,
                    f"the record before it (seq {expected}) is missing (deleted)",
                    request_id,
                )
            )
            break
        if data.get("seq") != row.seq:
            bad.append(
                (
                    row.seq,
                    f"it sits at position {row.seq} but was sealed as seq {data.get('seq')} "
                    "(moved, inserted or reordered)",
                    request_id,
                )
            )
            break
        if record_hash(data) != row.hash:
            bad.append((row.seq, "its content does not match its hash (edited)", request_id))
            break
        if data.get("prev_hash") != prev_hash:
            bad.append(
                (
                    row.seq,
                    f"it does not follow seq {row.seq - 1}: that record was rewritten, or a "
                    "record was inserted, deleted or reordered between them",
                    request_id,
                )
            )
            break
        cp = by_seq.get(row.seq)
        if cp is not None and cp.hash != row.hash:
            bad.append(
                (
                    row.seq,
                    "it differs from the signed checkpoint at its seq (rewritten)",
                    request_id,
                )
            )
            break
        prev_hash = row.hash
        expected = row.seq + 1
        last_seq = row.seq
    else:
        beyond = [cp.seq for cp in checkpoints if cp.seq > last_seq]
        if count and beyond:
            bad.append(
                (
                    last_seq + 1,
                    f"the log ends at seq {last_seq} but a signed checkpoint covers seq "
                    f"{max(beyond)} (records at the end were deleted)",
                    None,
                )
            )
        if not count and checkpoints:
            warnings.append("no records left (all pruned?); only checkpoints were checked")
    if bad:
        seq, reason, request_id = min(bad, key=lambda b: b[0])
        return Verdict(False, count, len(checkpoints), seq, reason, request_id, tuple(warnings))
    return Verdict(True, count, len(checkpoints), warnings=tuple(warnings))


def verify_log(log_: AuditLog, public_keys: Sequence[Ed25519PublicKey] = ()) -> Verdict:
    return verify(log_.records(), log_.checkpoints(), public_keys)


def verify_jsonl(lines: Iterable[str]) -> Verdict:
    """An export's own chain: each line's hash, and its link to the line before.

    The first line's ``prev_hash`` is taken on trust (it links to a record outside the
    export); compare it with the full log or a checkpoint to close that gap.
    """
    rows: list[StoredRecord] = []
    for line in lines:
        if line.strip():
            data = json.loads(line)
            digest = str(data.pop("hash", ""))
            rows.append(StoredRecord(int(data.get("seq", 0)), json.dumps(data), digest))
    if not rows:
        return Verdict(True, 0, 0)
    anchor = json.loads(rows[0].data).get("prev_hash", GENESIS)
    start = [Checkpoint(rows[0].seq - 1, anchor, "", "", "")] if rows[0].seq > 1 else []
    v = verify(rows, start, ())
    return Verdict(v.ok, v.records, 0, v.first_bad, v.reason, v.request_id)


# ---------------------------------------------------------------- the writer


class AuditWriter:
    """The gateway's audit sink: queues records, writes them in batches on a thread.

    ``healthy`` turns False when a write fails; the gateway then refuses requests (503)
    until a retry succeeds. Records are never dropped: a failed batch is retried in order.
    The thread lets ``linger_s`` pass after the first record of a batch before it writes,
    so that one transaction carries many records even at low concurrency: each write
    holds the interpreter for a while, which requests in flight would otherwise wait on.
    Records are turned into entries on the thread too, off the event loop.
    """

    def __init__(
        self,
        log_: AuditLog,
        *,
        checkpoint_every: int = 1000,
        checkpoint_interval_s: float = 300.0,
        batch: int = 512,
        retry_s: float = 1.0,
        linger_s: float = 0.02,
    ) -> None:
        self.log = log_
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval_s = checkpoint_interval_s
        self.batch = batch
        self.retry_s = retry_s
        self.linger_s = linger_s
        self.healthy = True
        self._queue: queue.Queue[RequestRecord | dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._done = threading.Condition()
        self._enqueued = 0
        self._written = 0
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._closed = False

    def emit(self, record: RequestRecord) -> None:
        if record.route == "/healthz":  # public liveness probes are not events
            return
        self.submit(record)

    def submit(self, entry: RequestRecord | dict[str, Any]) -> None:
        """Queue a request record or a ready entry (`admin_entry`) for the chain."""
        if self._closed:
            raise RuntimeError("audit writer is closed")
        if self._thread is None:
            self._start()
        with self._done:
            self._enqueued += 1
        self._queue.put(entry)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hanji-audit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pending: list[RequestRecord | dict[str, Any]] = []
        stop = False
        while not stop or pending:
            if not pending:
                item = self._queue.get()
                if item is None:
                    stop = True
                else:
                    pending.append(item)
                    if self.linger_s > 0 and self._queue.empty():
                        time.sleep(self.linger_s)  # a sleep, not a wait: puts wake nobody
                while len(pending) < self.batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    pending.append(item)
            if not pending:
                continue
            try:
                self.log.append([_entry(item) for item in pending])
            except Exception as exc:
                self.healthy = False
                log.error(
                    "audit write failed; refusing requests", extra={"error": type(exc).__name__}
                )
                time.sleep(self.retry_s)
                continue
            with self._done:
                self._written += len(pending)
                self._done.notify_all()
            self._since_checkpoint += len(pending)
            pending = []
            self.healthy = True
            self._maybe_checkpoint()
        with self._done:
            self._done.notify_all()

    def _maybe_checkpoint(self, force: bool = False) -> None:
        due = self._since_checkpoint >= self.checkpoint_every or (
            self._since_checkpoint
            and time.monotonic() - self._last_checkpoint >= self.checkpoint_interval_s
        )
        if not (due or (force and self._since_checkpoint)):
            return
        try:
            self.log.checkpoint()
        except (OperationalError, IntegrityError) as exc:
            log.warning("audit checkpoint failed", extra={"error": type(exc).__name__})
            return
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything submitted so far is written; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._done:
            target = self._enqueued
            while self._written < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued, sign a final checkpoint, stop the thread."""
        if self._closed:
            return
        self.flush(timeout_s)
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout_s)
            self._thread = None
        try:
            self._since_checkpoint = max(self._since_checkpoint, 1)
            self._maybe_checkpoint(force=True)
        except Exception as exc:  # pragma: no cover - shutdown must go on
            log.warning("final audit checkpoint failed", extra={"error": type(exc).__name__})
