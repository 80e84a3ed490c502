"""`AuditWriter`: the gateway's audit sink, writing records in batches on a thread.

If writing fails, the gateway refuses new requests (fail closed) until it works again.
With a `Journal`, every entry (and every response start) is appended to the process's
journal file before it is queued, so a crash between a response and its batch's commit
loses nothing: the next gateway recovers it (`hanji.audit.journal`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from hanji.audit.chain import request_entry, start_entry
from hanji.audit.journal import Journal
from hanji.audit.log import AuditLog

log = logging.getLogger("hanji.audit")


class AuditWriter:
    """The gateway's audit sink: queues records, writes them in batches on a thread.

    ``healthy`` turns False when a write fails; the gateway then refuses requests (503)
    until a retry succeeds. Records are never dropped: a failed batch is retried in order.
    The thread lets ``linger_s`` pass after the first record of a batch before it writes,
    so that one transaction carries many records even at low concurrency: each write
    holds the interpreter for a while, which requests in flight would otherwise wait on.
    Request records become entries on the caller's thread (the journal needs them there).
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
        journal: Journal | None = None,
    ) -> None:
        self.log = log_
        self.journal = journal
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval_s = checkpoint_interval_s
        self.batch = batch
        self.retry_s = retry_s
        self.linger_s = linger_s
        self.healthy = True
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._done = threading.Condition()
        self._enqueued = 0
        self._written = 0
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._closed = False

    def started(self, record: Any) -> None:
        """A response is about to start (``record``: the request so far): journal it, so
        that the request is in the log after a crash even if it never finishes."""
        if self.journal is not None and record.route != "/healthz":
            self.journal.start(start_entry(record), self._enqueued)

    def emit(self, record: Any) -> None:
        if record.route == "/healthz":  # public liveness probes are not events
            return
        self.submit(request_entry(record))

    def submit(self, entry: dict[str, Any]) -> None:
        """Journal and queue an entry for the chain."""
        if self._closed:
            raise RuntimeError("audit writer is closed")
        if self._thread is None:
            self._start()
        with self._done:
            self._enqueued += 1
            if self.journal is not None:
                self.journal.entry(entry, self._enqueued)
            self._queue.put(entry)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hanji-audit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pending: list[Any] = []
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
                self.log.append(pending)
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
            if self.journal is not None:
                self.journal.committed(self._written)
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
        if self.journal is not None:
            self.journal.close(clean=self._written == self._enqueued)
        try:
            self._since_checkpoint = max(self._since_checkpoint, 1)
            self._maybe_checkpoint(force=True)
        except Exception as exc:  # pragma: no cover - shutdown must go on
            log.warning("final audit checkpoint failed", extra={"error": type(exc).__name__})
