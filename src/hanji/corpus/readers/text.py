"""Plain text: a whole file is one document, or blank-line separated blocks are documents.

Which one is decided when sources are expanded: a source that names exactly one file is
read as blocks, a source that names a folder or glob as one document per file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanji.corpus.readers.base import MAX_DOC_CHARS, Bad, Position, Record, open_binary

MAX_FILE_BYTES = 4 * MAX_DOC_CHARS


def _decode(raw: bytes) -> str | Bad:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Bad("invalid_utf8", f"invalid UTF-8 at byte {exc.start}")


def iter_text_file(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    """The whole file as one document."""
    try:
        with open_binary(path) as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError) as exc:
        yield None, Bad("unreadable_file", f"cannot read: {exc}")
        return
    if len(raw) > MAX_FILE_BYTES:
        yield 1, Bad("too_long", f"file larger than {MAX_FILE_BYTES:,} bytes")
        return
    text = _decode(raw)
    if isinstance(text, Bad):
        yield 1, text
    elif not text.strip():
        yield None, Bad("empty_file", "only whitespace")
    else:
        yield 1, {"text": text}


def iter_text_blocks(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    """Blank-line separated documents; the position is the block's first line."""
    block: list[bytes] = []
    size = 0
    start = 0
    seen = False

    def emit() -> tuple[Position, Record]:
        if size > MAX_FILE_BYTES:
            return start, Bad("too_long", f"block of {size:,} bytes > {MAX_FILE_BYTES:,}")
        text = _decode(b"".join(block))
        return start, text if isinstance(text, Bad) else {"text": text.strip()}

    try:
        with open_binary(path) as fh:
            for lineno, raw in enumerate(fh, 1):
                if raw.strip():
                    if not block:
                        start = lineno
                    if size <= MAX_FILE_BYTES:
                        block.append(raw)
                    size += len(raw)
                    continue
                if block:
                    seen = True
                    yield emit()
                    block, size = [], 0
            if block:
                seen = True
                yield emit()
    except (OSError, EOFError) as exc:
        yield None, Bad("unreadable_file", f"stopped reading: {exc}")
        return
    if not seen:
        yield None, Bad("empty_file", "only whitespace")
