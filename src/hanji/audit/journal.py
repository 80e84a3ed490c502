"""`Journal`: the audit log's write-ahead file, so that a crash loses no record.

The chain is written in batches on a thread (`AuditWriter`): a process killed between a
response and its batch's commit would leave requests that were answered, or had started
to be, out of the log. So every audit entry is first appended to this process's journal
file through a shared memory mapping (``MAP_SHARED``) of it: the bytes are in the kernel's
page cache as soon as they are stored, and survive the process being killed (``kill -9``,
the OOM killer, a segfault), at the cost of a memory copy, not a system call. Power-loss
durability is the database's own (SQLite WAL, or PostgreSQL's ``synchronous_commit``);
the journal does not fsync. A segment file is allocated at its full size when it is
started (so a full disk is an error then, not a fault later); the zeros after the last
line mark where writing stopped.

Two kinds of line:
  * ``start``: written when a response starts, before its first byte goes out;
  * ``entry``: a complete audit entry (the request's record, written when it finished).

A journal file is named after its process and held with an exclusive ``flock`` while the
process lives. Files that nobody holds belong to processes that died; `recover` (run when
a gateway starts, and by ``hanji audit recover``) appends to the chain every entry of such
files the chain lacks, and for every start without a finished record an ``interrupted``
record, then deletes the files. Entries are reconciled by ``request_id``, so recovering
twice appends nothing twice.

The journal is cut in segments: when the current one is full (``segment_bytes``), the
process starts a new one (re-writing the starts of the requests still in flight) and
deletes the old one once the chain holds everything written before the switch.
Journal lines carry what the audit entries carry: metadata, never content.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import mmap
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hanji.audit.chain import parse_iso
from hanji.audit.log import AuditLog
from hanji.audit.tables import AuditRecordRow

log = logging.getLogger("hanji.audit")

_SUFFIX = ".journal"
# Records of a crashed process were stamped at most this long before its journal lines
# were written (a long stream's record carries its start time).
_SKEW = timedelta(hours=6)


def _line(data: dict[str, Any]) -> bytes:
    """One journal line: compact JSON (the chain re-encodes it canonically when it appends)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


@dataclass
class _Segment:
    path: Path
    fd: int
    map: mmap.mmap
    capacity: int
    size: int = 0
    last_ticket: int = 0  # the writer's ticket of the last entry written to it


class Journal:
    """This process's journal in ``directory`` (created 0700, files 0600)."""

    def __init__(self, directory: Path, *, segment_bytes: int = 4 << 20) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        self._prefix = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._number = 0
        self._open: dict[str, bytes] = {}  # request id -> its start line
        self._retired: list[_Segment] = []
        self._lock = threading.Lock()  # the event loop writes, the writer thread retires
        self._current = self._new_segment(segment_bytes)

    def _new_segment(self, capacity: int) -> _Segment:
        self._number += 1
        path = self.directory / f"{self._prefix}-{self._number:06d}{_SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours while we live
        try:
            # Blocks reserved now: a full disk is an error here (the gateway then refuses
            # requests), never a SIGBUS later when a store touches an unbacked page.
            os.posix_fallocate(fd, 0, capacity)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                os.close(fd)
                path.unlink(missing_ok=True)
                raise
            os.ftruncate(fd, capacity)  # a file system without fallocate
        return _Segment(path, fd, mmap.mmap(fd, capacity), capacity)

    def start(self, entry: dict[str, Any], ticket: int) -> None:
        """A response is about to start: ``entry`` is its start line (metadata)."""
        data = _line({"kind": "start", **entry})
        with self._lock:
            self._open[str(entry["request_id"])] = data
            self._write(data, ticket)

    def entry(self, entry: dict[str, Any], ticket: int) -> None:
        """A complete audit entry, queued for the chain under ``ticket``."""
        data = _line({"kind": "entry", **entry})
        request_id = entry.get("request_id")
        with self._lock:
            if request_id is not None:
                self._open.pop(str(request_id), None)
            self._write(data, ticket)

    def _write(self, data: bytes, ticket: int) -> None:
        segment = self._current
        if segment.size + len(data) > segment.capacity:
            segment = self._rotate(len(data))
        # A store into a shared mapping of the file: in the page cache as soon as it is
        # made, without a system call (a write(2) cost 80 µs in this sandbox).
        segment.map[segment.size : segment.size + len(data)] = data
        segment.size += len(data)
        segment.last_ticket = ticket

    def _rotate(self, need: int) -> _Segment:
        old = self._current
        self._retired.append(old)
        carried = b"".join(self._open.values())  # still in flight: carried over
        new = self._new_segment(max(self.segment_bytes, 2 * (len(carried) + need)))
        new.map[: len(carried)] = carried
        new.size = len(carried)
        new.last_ticket = old.last_ticket
        self._current = new
        return new

    def committed(self, ticket: int) -> None:
        """The chain holds every entry queued up to ``ticket``: retire what that covers."""
        with self._lock:
            while self._retired and self._retired[0].last_ticket <= ticket:
                segment = self._retired.pop(0)
                segment.map.close()
                os.close(segment.fd)
                segment.path.unlink(missing_ok=True)

    def close(self, *, clean: bool) -> None:
        """Close every segment; delete them when ``clean`` (the chain holds everything).

        Files left behind are recovered by the next gateway (or ``hanji audit recover``).
        """
        with self._lock:
            for segment in [*self._retired, self._current]:
                if clean and not self._open:
                    segment.path.unlink(missing_ok=True)
                try:
                    segment.map.close()
                    os.close(segment.fd)
                except (OSError, ValueError):
                    pass
            self._retired = []


def _orphans(directory: Path) -> Iterator[tuple[Path, int]]:
    """Journal files no live process holds, each locked by us (caller closes the fd)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob(f"*{_SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # a live process's journal
            continue
        yield path, fd


def _lines(path: Path) -> list[dict[str, Any]]:
    out = []
    data = path.read_bytes()
    end = data.find(b"\0")  # the segment's unwritten rest is zeros
    for number, raw in enumerate(data[: None if end < 0 else end].splitlines(keepends=True), 1):
        if not raw.endswith(b"\n"):
            break  # the process died in the middle of this line: nothing of it counts
        try:
            line = json.loads(raw)
        except ValueError:
            log.warning("audit journal %s line %d is not JSON; skipped", path.name, number)
            continue
        if isinstance(line, dict) and line.get("kind") in ("start", "entry"):
            out.append(line)
    return out


def pending(directory: Path) -> int:
    """How many journal lines of dead processes wait for `recover`."""
    count = 0
    for path, fd in _orphans(directory):
        try:
            count += len(_lines(path))
        finally:
            os.close(fd)
    return count


def _known_request_ids(log_: AuditLog, since: datetime) -> set[str]:
    ids: set[str] = set()
    with Session(log_.engine) as session:
        rows = session.execute(
            select(AuditRecordRow.data).where(AuditRecordRow.time >= since),
            execution_options={"yield_per": 2000},
        )
        for (data,) in rows:
            request_id = json.loads(data).get("request_id")
            if request_id is not None:
                ids.add(str(request_id))
    return ids


def interrupted_entry(start: dict[str, Any]) -> dict[str, Any]:
    """The record of a request whose response had started when its process died."""
    entry = {k: v for k, v in start.items() if k != "kind"}
    entry.update(event="request", outcome="interrupted", recovered="process_died")
    return entry


def recover(directory: Path, log_: AuditLog) -> tuple[int, int]:
    """Append what dead processes journalled and the chain lacks; returns (entries,
    interrupted) appended. Files are deleted once their lines are in the chain."""
    appended = interrupted = 0
    for path, fd in _orphans(directory):
        try:
            lines = _lines(path)
            if lines:
                earliest = min(parse_iso(str(line["time"])) for line in lines)
                known = _known_request_ids(log_, earliest - _SKEW)
                finished = {str(x["request_id"]) for x in lines if x["kind"] == "entry"}
                batch: list[dict[str, Any]] = []
                for line in lines:
                    request_id = line.get("request_id")
                    if request_id is not None and str(request_id) in known:
                        continue
                    if line["kind"] == "entry":
                        batch.append({k: v for k, v in line.items() if k != "kind"})
                    elif str(request_id) not in finished:
                        batch.append(interrupted_entry(line))
                        interrupted += 1
                    else:
                        continue  # its finished record comes later in the journal
                    if request_id is not None:
                        known.add(str(request_id))
                if batch:
                    log_.append(batch)
                    appended += len(batch)
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    if appended:
        log.warning(
            "audit journal: recovered %d records of a process that died (%d interrupted)",
            appended,
            interrupted,
        )
    return appended, interrupted
