"""CSV/TSV with a header row; bytes that are not UTF-8 make that row an ``invalid_utf8`` drop."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanji.corpus.readers.base import Bad, Position, Record, open_binary

_SURROGATE = re.compile("[\udc80-\udcff]")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def iter_csv(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    delimiter = "\t" if ".tsv" in path.suffixes else ","
    seen = False
    try:
        with open_binary(path) as raw:
            fh = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.DictReader(fh, delimiter=delimiter)
            for rec in reader:
                seen = True
                pos = reader.line_num
                if any(isinstance(v, str) and _SURROGATE.search(v) for v in rec.values()):
                    yield pos, Bad("invalid_utf8", "row has bytes that are not UTF-8")
                    continue
                if None in rec:
                    yield (
                        pos,
                        Bad("malformed_csv", f"{len(rec[None]) + len(rec) - 1} fields > header"),
                    )
                    continue
                yield pos, rec
    except (OSError, EOFError, csv.Error) as exc:
        yield None, Bad("unreadable_file", f"stopped reading: {exc}")
        return
    if not seen:
        yield None, Bad("empty_file", "header only, no rows")
