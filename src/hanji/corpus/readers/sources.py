"""Turn the recipe's ``[[corpus.sources]]`` into work units: one file (or Hub dataset) each.

A unit is a plain dict so that executors can pickle it anywhere. The order is the
recipe's source order, then sorted file names, and never depends on the number of
workers: the unit index is the datatrove rank, so a resumed run meets the same ranks.
"""

from __future__ import annotations

import glob
import importlib.util
from collections import Counter
from pathlib import Path
from typing import Any

from hanji.recipe import Recipe

SUFFIXES = {
    "jsonl": (".jsonl", ".json", ".jsonl.gz", ".json.gz", ".jsonl.bz2", ".jsonl.xz", ".jsonl.zst"),
    "text": (".txt", ".md", ".txt.gz", ".txt.bz2"),
    "parquet": (".parquet",),
    "csv": (".csv", ".tsv", ".csv.gz"),
    "mediawiki": (".xml", ".xml.bz2", ".xml.gz"),
}


class CorpusError(ValueError):
    """A corpus configuration that cannot run; the message names the recipe key."""


def _files(raw: str, resolved: Path, fmt: str, key: str) -> list[Path]:
    if resolved.is_dir():
        found = sorted(
            p for p in resolved.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES[fmt])
        )
        if not found:
            raise CorpusError(f"{key}: folder {resolved} has no {'/'.join(SUFFIXES[fmt])} files")
        return found
    if resolved.is_file():
        return [resolved]
    matches = sorted(Path(m) for m in glob.glob(str(resolved), recursive=True))
    files = [m for m in matches if m.is_file()]
    if not files:
        raise CorpusError(f"{key}: no file, folder or glob match for '{raw}' ({resolved})")
    return files


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name


def expand_sources(recipe: Recipe) -> list[dict[str, Any]]:
    """Work units for every source, in a stable order; raises CorpusError naming the key."""
    from hanji.corpus.readers.hf import local_files

    units: list[dict[str, Any]] = []
    for i, src in enumerate(recipe.corpus.sources):
        key = f"corpus.sources[{i}].path"
        base = {
            "source_index": i,
            "domain": src.domain,
            "text_field": src.text_field,
            "id_field": src.id_field,
            "date_field": src.date_field,
            "license": src.license,
            "split": src.split,
        }
        resolved = recipe.resolve_path(src.path)
        if "*" not in src.path and "?" not in src.path:
            resolved = resolved.resolve()
        if src.format == "hf":
            if resolved.is_dir():
                for path, fmt in local_files(resolved, src.split):
                    units.append(
                        {**base, "format": fmt, "path": str(path), "label": _label(path, resolved)}
                    )
                continue
            if resolved.exists() or src.path.startswith((".", "/", "~")):
                raise CorpusError(f"{key}: '{src.path}' is neither a dataset folder nor a Hub id")
            if importlib.util.find_spec("datasets") is None:
                raise CorpusError(
                    f"{key}: reading the Hub dataset '{src.path}' needs `pip install datasets`"
                )
            units.append({**base, "format": "hf-hub", "path": src.path, "label": src.path})
            continue
        files = _files(src.path, resolved, src.format, key)
        root = resolved if resolved.is_dir() else Path(glob.escape(str(resolved))).parent
        if not resolved.is_dir() and len(files) > 1:
            root = Path(str(resolved).split("*", 1)[0]).parent
        text_mode = "blocks" if src.format == "text" and resolved.is_file() else "file"
        for path in files:
            units.append(
                {
                    **base,
                    "format": src.format,
                    "path": str(path),
                    "label": _label(path, root),
                    "text_mode": text_mode,
                }
            )
    # labels make ids (label:position): two sources with the same file name must not collide
    seen = Counter(u["label"] for u in units)
    for index, unit in enumerate(units):
        unit["index"] = index
        if seen[unit["label"]] > 1:
            unit["label"] = f"source{unit['source_index']}/{unit['label']}"
    return units
