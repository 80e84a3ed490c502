"""The one reader of the files stages hand each other: JSONL, JSON, Parquet, CSV, plain text.

Every stage reads documents, conversations, probe items and tasks through here, so they
agree on three things:

- Text comes out in NFC, always (every string of a record, not only its text).
- A bad line is handled by one policy, ``on_error``: ``"raise"`` (the default) stops with a
  `ReadError` naming ``file:line`` and the field; ``"skip"`` drops the line and counts it in
  `ReadStats` under a named reason (``bad_json``, ``bad_utf8``, ``no_text``, …), so nothing
  vanishes silently. A record whose text is empty is not an error: it holds no document,
  and is counted under ``no_text`` either way.
- A ``.txt`` file is split at blank lines into documents; a file without blank lines is one
  document per line.

The corpus pipeline reads raw sources with its own accounted datatrove readers
(`hanji.corpus.readers`); this module is for what the stages write and read afterwards.
"""

from __future__ import annotations

import csv
import glob
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SUFFIXES = (".jsonl", ".json", ".parquet", ".txt")
"""What a folder is searched for when one is named as input."""
OnError = Literal["raise", "skip"]
POLICIES = ("raise", "skip")
_MAX_WHERE = 10


class ReadError(ValueError):
    """A line or row that cannot be read; the message begins with ``file:line``."""


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


class _Policy:
    """``on_error`` applied: raise a `ReadError`, or count the skip in ``stats``."""

    def __init__(self, on_error: OnError, stats: ReadStats | None) -> None:
        if on_error not in POLICIES:
            raise ValueError(f"on_error must be one of {POLICIES}, got {on_error!r}")
        self.raising = on_error == "raise"
        self.stats = stats if stats is not None else ReadStats()

    def bad(
        self, reason: str, place: str, message: str, *, label: str | None = None, n: int = 1
    ) -> None:
        """A bad line at ``place``: raise ``place: message``, or count it under ``reason``
        (listed in `ReadStats.where` as ``label``, by default ``place``)."""
        if self.raising:
            raise ReadError(f"{place}: {message}")
        self.stats.skip(reason, label or place, n)


def nfc(value: Any) -> Any:
    """``value`` with every string in it (inside lists and dicts too) in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named by ``paths``: files, folders (walked, sorted) or glob patterns."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out.extend(
                f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in SUFFIXES
            )
        elif p.is_file():
            out.append(p)
        else:
            matches = sorted(Path(m) for m in glob.glob(str(p), recursive=True))
            if not matches:
                raise FileNotFoundError(f"no such file, directory or glob match: {raw}")
            out.extend(m for m in matches if m.is_file())
    return out


def paragraphs(text: str) -> list[str]:
    """Blank-line-separated blocks; a text without blank lines is one document per line."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    blocks = [b for b in blocks if b]
    if len(blocks) == 1 and "\n" in blocks[0]:
        blocks = [line.strip() for line in blocks[0].split("\n") if line.strip()]
    return blocks


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
            total += len(paragraphs(path.read_text(encoding="utf-8", errors="replace")))
    return total


def _lines(path: Path, policy: _Policy) -> Iterator[tuple[int, str]]:
    """(line number, line) of a UTF-8 file; an undecodable line is a bad line."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                policy.bad("bad_utf8", f"{path}:{lineno}", f"not UTF-8 (byte {exc.start})")
                continue
            yield lineno, line


def _read_jsonl(path: Path, policy: _Policy) -> Iterator[tuple[int, Any]]:
    for lineno, line in _lines(path, policy):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            policy.bad("bad_json", f"{path}:{lineno}", f"not valid JSON ({exc.msg})")
            continue
        yield lineno, nfc(value)


def read_jsonl(
    path: str | Path, *, on_error: OnError = "raise", stats: ReadStats | None = None
) -> Iterator[tuple[int, Any]]:
    """(line number, JSON value in NFC) for each non-blank line of a JSONL file."""
    yield from _read_jsonl(Path(path), _Policy(on_error, stats))


def iter_rows(
    path: str | Path, *, on_error: OnError = "raise", stats: ReadStats | None = None
) -> Iterator[tuple[int, Any]]:
    """(line or row number, record in NFC) from a JSONL, JSON, CSV/TSV or Parquet file.

    CSV and TSV rows are numbered as lines of the file (the header is line 1). A ``.json``
    file holds a list of records or one record; one that is not a JSON document is read as
    JSON Lines.
    """
    path = Path(path)
    policy = _Policy(on_error, stats)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
            for row_no, row in enumerate(rows, 2):
                yield row_no, nfc(dict(row))
    elif suffix == ".parquet":
        yield from enumerate(_parquet_rows(path, None), 1)
    elif suffix == ".json" and (whole := _json_document(path, policy)) is not None:
        yield from enumerate(nfc(whole), 1)
    else:
        yield from _read_jsonl(path, policy)


def _json_document(path: Path, policy: _Policy) -> list[Any] | None:
    """The records of a file that is one JSON document (a list, or one record); None when
    it is JSON Lines instead; [] when it is a broken list (counted or raised by ``policy``)."""
    text = path.read_text("utf-8")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.lstrip().startswith("["):
            return None
        policy.bad("bad_json", f"{path}:{exc.lineno}", f"not valid JSON ({exc.msg})")
        return []
    return value if isinstance(value, list) else [value]


def _parquet_rows(path: Path, columns: list[str] | None) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(columns=columns, batch_size=1024):
        for row in batch.to_pylist():
            yield nfc(row)


def _text_of(rec: Any, text_field: str) -> str | None:
    text = rec.get(text_field) if isinstance(rec, dict) else None
    return text if isinstance(text, str) else None


def _records(path: Path, text_field: str, policy: _Policy) -> Iterator[dict[str, Any]]:
    suffix = path.suffix.lower()
    stats = policy.stats
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        if text_field not in names:
            policy.bad(
                "parquet_without_text_column",
                str(path),
                f"no column '{text_field}' (columns: {names})",
                label=f"{path} column '{text_field}'",
                n=pf.metadata.num_rows,
            )
            return
        for row_no, rec in enumerate(_parquet_rows(path, None), 1):
            text = _text_of(rec, text_field)
            if text is None or not text.strip():
                stats.skip("no_text", f"{path}:row {row_no} column '{text_field}'")
                continue
            yield rec
    elif suffix in (".jsonl", ".json"):
        rows: Iterable[tuple[int, Any]] = _read_jsonl(path, policy)
        if suffix == ".json" and (whole := _json_document(path, policy)) is not None:
            rows = enumerate(nfc(whole), 1)  # a list of records, as iter_rows reads it
        for lineno, rec in rows:
            text = _text_of(rec, text_field)
            label = f"{path}:{lineno} field '{text_field}'"
            if text is None:
                place = f"{path}:{lineno}"
                policy.bad("no_text", place, f"no string field '{text_field}'", label=label)
            elif not text.strip():
                stats.skip("no_text", label)
            else:
                yield rec
    else:
        lines = [line for _, line in _lines(path, policy)]
        for i, block in enumerate(paragraphs(unicodedata.normalize("NFC", "".join(lines)))):
            yield {text_field: block, "id": f"{path.stem}-{i}"}


def iter_records(
    path: str | Path,
    *,
    text_field: str = "text",
    on_error: OnError = "raise",
    stats: ReadStats | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of one file that hold a non-empty string ``text_field``, in NFC.

    A ``.txt`` file gives ``{text_field: paragraph, "id": "<stem>-<i>"}`` per document.
    """
    policy = _Policy(on_error, stats)
    for rec in _records(Path(path), text_field, policy):
        policy.stats.documents += 1
        policy.stats.chars += len(rec[text_field])
        yield rec


def iter_texts(
    paths: Iterable[str | Path],
    *,
    text_field: str = "text",
    on_error: OnError = "raise",
    stats: ReadStats | None = None,
) -> Iterator[str]:
    """The NFC document texts of files, folders and globs (see `expand`), in order."""
    stats = stats if stats is not None else ReadStats()
    for path in expand(paths):
        for rec in iter_records(path, text_field=text_field, on_error=on_error, stats=stats):
            yield rec[text_field]


__all__ = [
    "POLICIES",
    "SUFFIXES",
    "OnError",
    "ReadError",
    "ReadStats",
    "count_documents",
    "expand",
    "iter_records",
    "iter_rows",
    "iter_texts",
    "nfc",
    "paragraphs",
    "read_jsonl",
]
