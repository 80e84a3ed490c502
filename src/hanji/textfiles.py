"""Read document texts from the files stages hand each other: JSONL, Parquet, plain text.

Used by stages that only need texts (tokenizer, training, evaluation); the corpus pipeline
has its own accounted readers for raw sources.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

SUFFIXES = (".jsonl", ".json", ".parquet", ".txt")


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named by ``paths``: files, directories (walked, sorted) or glob patterns."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES))
        elif p.is_file():
            out.append(p)
        else:
            matches = sorted(Path(m) for m in glob.glob(str(p), recursive=True))
            if not matches:
                raise FileNotFoundError(f"no such file, directory or glob match: {raw}")
            out.extend(m for m in matches if m.is_file())
    return out


def iter_records(path: Path, text_field: str = "text") -> Iterator[dict]:
    """Records with at least ``text_field``; a bad JSONL line raises naming file and line."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        if text_field not in table.column_names:
            raise ValueError(f"{path}: no column '{text_field}' (columns: {table.column_names})")
        yield from table.to_pylist()
    elif path.suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(rec, dict) or not isinstance(rec.get(text_field), str):
                    raise ValueError(f"{path}:{lineno}: no string field '{text_field}'")
                yield rec
    else:
        text = path.read_text(encoding="utf-8")
        for i, block in enumerate(b for b in text.split("\n\n") if b.strip()):
            yield {text_field: block.strip(), "id": f"{path.stem}-{i}"}


def iter_texts(paths: Iterable[str | Path], text_field: str = "text") -> Iterator[str]:
    for path in expand(paths):
        for rec in iter_records(path, text_field):
            yield rec[text_field]
