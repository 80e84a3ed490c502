"""JSONL (optionally .gz/.bz2/.xz/.zst): one record per line; a bad line is one named drop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanji.corpus.readers.base import MAX_DOC_CHARS, Bad, Position, Record, open_binary

MAX_LINE_BYTES = 4 * MAX_DOC_CHARS
"""A line this long is dropped as ``too_long`` before it is even decoded."""


def iter_jsonl(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    seen = False
    try:
        with open_binary(path) as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                seen = True
                if len(raw) > MAX_LINE_BYTES:
                    yield (
                        lineno,
                        Bad("too_long", f"line of {len(raw):,} bytes > {MAX_LINE_BYTES:,}"),
                    )
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield lineno, Bad("invalid_utf8", f"invalid UTF-8 at byte {exc.start}")
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield (
                        lineno,
                        Bad("malformed_json", f"not valid JSON ({exc.msg}, col {exc.colno})"),
                    )
                    continue
                if not isinstance(rec, dict):
                    yield (
                        lineno,
                        Bad("malformed_json", f"a JSON {type(rec).__name__}, not an object"),
                    )
                    continue
                yield lineno, rec
    except (OSError, EOFError) as exc:
        yield None, Bad("unreadable_file", f"stopped reading: {exc}")
        return
    if not seen:
        yield None, Bad("empty_file", "no records (only blank lines)")
