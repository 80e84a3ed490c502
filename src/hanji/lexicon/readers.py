"""Read documents from JSONL, Parquet and plain-text files or folders of them.

Corpus shards (`shards/{domain}/00000.parquet`, column `text`) and hand-written JSONL
(`{"text": ...}` per line) both work as they are. Every record is either yielded or
counted under a named skip reason in `ReadStats`, so nothing vanishes silently.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".jsonl", ".json", ".parquet", ".txt")
_MAX_WHERE = 10


@dataclass
class ReadStats:
    """Documents read and records skipped, per reason (e.g. `bad_json`, `no_text`).

    `where` keeps the first few skipped places as `file:line (reason)`, never their text.
    """

    documents: int = 0
    chars: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    where: list[str] = field(default_factory=list)

    def skip(self, reason: str, place: str, n: int = 1) -> None:
        """Count `n` records skipped for `reason` at `place` (`path:line` or `path:row`)."""
        self.skipped[reason] += n
        if len(self.where) < _MAX_WHERE:
            self.where.append(f"{place} ({reason})")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly plus readable files found under named folders, in sorted order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"입력 경로가 없습니다 / input not found: {path}")
    return files


def count_documents(files: Iterable[Path]) -> int:
    """Cheap upper bound on documents, for a progress bar (lines, rows or paragraphs)."""
    total = 0
    for path in files:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        elif suffix in (".jsonl", ".json"):
            with path.open("rb") as fh:
                total += sum(1 for line in fh if line.strip())
        else:
            total += len(_paragraphs(path.read_text(encoding="utf-8", errors="replace")))
    return total


def _paragraphs(text: str) -> list[str]:
    """Blank-line-separated blocks; a file without blank lines is one document per line."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    blocks = [b for b in blocks if b]
    if len(blocks) == 1 and "\n" in blocks[0]:
        blocks = [line.strip() for line in blocks[0].split("\n") if line.strip()]
    return blocks


def _iter_jsonl(path: Path, stats: ReadStats) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                stats.skip("bad_json", f"{path}:{n}")
                continue
            text = record.get("text") if isinstance(record, dict) else None
            if not isinstance(text, str) or not text.strip():
                stats.skip("no_text", f"{path}:{n} field 'text'")
                continue
            yield text


def _iter_parquet(path: Path, stats: ReadStats) -> Iterator[str]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    if "text" not in pf.schema_arrow.names:
        stats.skip("parquet_without_text_column", f"{path} column 'text'", pf.metadata.num_rows)
        return
    row = 0
    for batch in pf.iter_batches(columns=["text"], batch_size=1024):
        for text in batch.column(0).to_pylist():
            row += 1
            if not isinstance(text, str) or not text.strip():
                stats.skip("no_text", f"{path}:row {row} column 'text'")
                continue
            yield text


def iter_texts(paths: Iterable[str | Path], stats: ReadStats | None = None) -> Iterator[str]:
    """Yield NFC document texts from files and folders; skipped records go into `stats`."""
    stats = stats if stats is not None else ReadStats()
    for path in expand_paths(paths):
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".json"):
            texts: Iterable[str] = _iter_jsonl(path, stats)
        elif suffix == ".parquet":
            texts = _iter_parquet(path, stats)
        else:
            texts = _paragraphs(path.read_text(encoding="utf-8", errors="replace"))
        for text in texts:
            text = unicodedata.normalize("NFC", text)
            stats.documents += 1
            stats.chars += len(text)
            yield text
