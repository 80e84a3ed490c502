"""Checkpoint sinks: a copy of every signed checkpoint outside the database.

Checkpoints in the database prove the records before them. Someone who can write the
database can also delete the newest records together with the checkpoints that cover
them, and the shortened chain still verifies. A copy of each checkpoint kept where that
person cannot write (an append-only file on another volume, the host's syslog forwarded
to a collector) closes that gap: ``hanji audit verify --sink FILE`` checks the log
against it and names the first record that is missing.

``audit_checkpoint_sink`` in the settings: a file path (one JSON line per checkpoint,
appended and fsynced), or ``syslog`` (one ``hanji-audit-checkpoint {...}`` message per
checkpoint, facility AUTHPRIV).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from hanji.audit.signing import Checkpoint

SYSLOG_TAG = "hanji-audit-checkpoint"


class CheckpointSink(Protocol):
    def append(self, checkpoint: Checkpoint) -> None: ...


class FileSink:
    """Appends one JSON line per checkpoint to ``path`` and fsyncs it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(checkpoint.to_dict(), sort_keys=True).encode() + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


class SyslogSink:
    """Sends one message per checkpoint to the host's syslog (facility AUTHPRIV)."""

    def append(self, checkpoint: Checkpoint) -> None:
        import syslog

        syslog.openlog("hanji", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(
            syslog.LOG_INFO, f"{SYSLOG_TAG} {json.dumps(checkpoint.to_dict(), sort_keys=True)}"
        )


def open_sink(spec: str | None) -> CheckpointSink | None:
    """The sink named by the ``audit_checkpoint_sink`` setting (None: no sink)."""
    if not spec:
        return None
    if spec == "syslog":
        return SyslogSink()
    return FileSink(Path(spec).expanduser())


def read_checkpoints(lines: Iterable[str], source: str) -> list[Checkpoint]:
    """Checkpoints from a file sink's lines (or syslog lines that carry the tag)."""
    out = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if SYSLOG_TAG in text:
            text = text.split(SYSLOG_TAG, 1)[1].strip()
        elif not text.startswith("{"):
            continue  # other syslog traffic
        try:
            data = json.loads(text)
            out.append(
                Checkpoint(
                    int(data["seq"]),
                    str(data["hash"]),
                    str(data["time"]),
                    str(data["key_id"]),
                    str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"{source} line {number} is not a hanji checkpoint") from None
    return out
