"""The accounted reader: every record of every input file becomes a document or a named drop.

Format modules only turn a file into ``(position, record)`` pairs, where a record is a
dict or a :class:`Bad` that says why the record could not be read. This module owns
everything else — ids, provenance, size limits, counters and warnings — so that every
format is accounted for the same way.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseReader

from hanji.corpus.accounting import Ledger

MAX_DOC_CHARS = 1_000_000
"""Longer documents are dropped as ``too_long``: no Korean article needs a megabyte."""


@dataclass(slots=True)
class Bad:
    """A record that could not be read; ``count`` records are lost under ``reason``."""

    reason: str
    message: str
    count: int = 1
    warn: bool = True


Record = dict[str, Any] | Bad
Position = int | str | None


def open_binary(path: Path) -> IO[bytes]:
    """Open a possibly compressed file for reading bytes, by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix == ".bz2":
        return bz2.open(path, "rb")
    if suffix in (".xz", ".lzma"):
        return lzma.open(path, "rb")
    if suffix == ".zst":
        import zstandard  # optional: only for .zst inputs

        return zstandard.open(path, "rb")
    return path.open("rb")


def iter_unit(unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    """The records of one work unit (one file, or one Hub dataset)."""
    from hanji.corpus.readers import csv, hf, jsonl, mediawiki, parquet, text

    fmt = unit["format"]
    path = Path(unit["path"])
    if fmt == "hf-hub":
        yield from hf.iter_hub(unit["path"], unit.get("split", "train"))
        return
    try:
        if path.stat().st_size == 0:
            yield None, Bad("empty_file", "empty file")
            return
    except OSError as exc:
        yield None, Bad("unreadable_file", f"cannot read file ({exc.strerror})")
        return
    readers = {
        "jsonl": jsonl.iter_jsonl,
        "text": text.iter_text_blocks if unit.get("text_mode") == "blocks" else text.iter_text_file,
        "parquet": parquet.iter_parquet,
        "arrow": parquet.iter_arrow,
        "csv": csv.iter_csv,
        "mediawiki": mediawiki.iter_mediawiki,
    }
    yield from readers[fmt](path, unit)


class SourceReader(BaseReader):
    """Read the recipe's sources; rank ``r`` of ``n`` reads work units ``r, r+n, r+2n...``.

    Args:
        units: work units from :func:`hanji.corpus.readers.sources.expand_sources`.
        report_dir: folder for the per-rank ledger.
        max_doc_chars: longer documents are dropped as ``too_long``.
    """

    name = "hanji read"
    step = "read"

    def __init__(
        self,
        units: list[dict[str, Any]],
        report_dir: str | None = None,
        max_doc_chars: int = MAX_DOC_CHARS,
    ) -> None:
        super().__init__()
        self.units = units
        self.report_dir = report_dir
        self.max_doc_chars = max_doc_chars
        self.ledger = Ledger()

    def _bad(self, unit: dict[str, Any], pos: Position, bad: Bad) -> None:
        self.stat_update("in", value=bad.count)
        self.stat_update(f"dropped_{bad.reason}", value=bad.count)
        place = f"{unit['path']}:{pos}" if pos is not None else str(unit["path"])
        if bad.warn:
            self.ledger.warn(bad.reason, place, bad.message)
        self.ledger.example(bad.reason, f"{unit['label']}:{pos}", place, bad.message)

    def to_document(
        self, unit: dict[str, Any], pos: Position, rec: dict[str, Any]
    ) -> Document | Bad:
        """Build the document with its provenance, or say why the record is unusable."""
        text_field = unit.get("text_field", "text")
        text = rec.get(text_field)
        if not isinstance(text, str):
            got = "nothing" if text is None else type(text).__name__
            return Bad("no_text", f"field '{text_field}' is not a string (got {got})")
        if not text.strip():
            return Bad("empty_text", f"field '{text_field}' is empty", warn=False)
        if len(text) > self.max_doc_chars:
            return Bad("too_long", f"{len(text):,} characters > {self.max_doc_chars:,}")
        raw_id = rec.get(unit.get("id_field", "id"))
        # positions are lines (from 1) or rows (from 0): row 0 must not become "1"
        spot = 1 if pos is None else pos
        doc_id = str(raw_id) if raw_id not in (None, "") else f"{unit['label']}:{spot}"
        date = rec.get(unit.get("date_field") or "date")
        source = rec.get("source")
        metadata = {
            "source": source if isinstance(source, str) and source else unit["label"],
            "path": unit["path"],
            "line": pos,
            "license": unit.get("license"),
            "date": None if date is None else str(date),
            "domain": unit["domain"],
            "unit": unit["index"],
        }
        return Document(text=text, id=doc_id, metadata=metadata)

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        if data:
            yield from data
        self.ledger = Ledger()
        for unit in self.units[rank::world_size]:
            self.stat_update("input_files")
            for pos, rec in iter_unit(unit):
                with self.track_time():
                    doc = rec if isinstance(rec, Bad) else self.to_document(unit, pos, rec)
                if isinstance(doc, Bad):
                    self._bad(unit, pos, doc)
                    continue
                self.stat_update("in")
                self.stat_update("kept")
                self.stat_update("chars_out", value=len(doc.text))
                yield doc
        self.ledger.save(self.report_dir, self.step, rank)
