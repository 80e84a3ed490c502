"""Hugging Face datasets: a local dataset folder is read file by file; a Hub id is streamed.

A local folder (``save_to_disk`` Arrow files, or the Parquet/JSONL files of a Hub repo
snapshot) needs no extra package. A Hub id needs ``datasets``, which is imported only then.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hanji.corpus.readers.base import Bad, Position, Record

LOCAL_FORMATS = {".arrow": "arrow", ".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl"}


def local_files(folder: Path, split: str) -> list[tuple[Path, str]]:
    """Data files of a local dataset folder, narrowed to ``split`` when files are named by it."""
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix in LOCAL_FORMATS
        and p.name not in ("dataset_info.json", "state.json")
    )
    named = [
        p for p in files if split in p.relative_to(folder).parts or p.name.startswith(f"{split}-")
    ]
    return [(p, LOCAL_FORMATS[p.suffix]) for p in (named or files)]


def iter_hub(dataset_id: str, split: str) -> Iterator[tuple[Position, Record]]:
    import datasets  # checked before the run starts

    try:
        stream = datasets.load_dataset(dataset_id, split=split, streaming=True)
        for row, rec in enumerate(stream):
            yield row, dict(rec)
    except Exception as exc:
        yield None, Bad("unreadable_file", f"Hub dataset {dataset_id} failed: {exc}")
