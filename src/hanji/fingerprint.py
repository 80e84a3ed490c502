"""The two pieces every stage's fingerprint is made of: a digest, and facts about input files.

Each stage package (`corpus`, `lexicon`, `tokenizer`, `train`, `evaluate`) owns the one
`fingerprint` of its own inputs and settings; `hanji build` only calls them and skips a
stage whose fingerprint has not changed. File facts name a file relative to the recipe's
folder when it lies under it, so a project moved or copied whole keeps its fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hanji.recipe import Recipe


def digest(*parts: Any) -> str:
    """A short stable hash of JSON-able ``parts`` (paths and other objects via ``str``)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def relative_name(path: str | Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies under it (POSIX slashes), else absolute."""
    p = Path(os.path.abspath(path))
    try:
        return p.relative_to(Path(os.path.abspath(base))).as_posix()
    except ValueError:
        return str(p)


def file_facts(path: str | Path, base: Path) -> list[Any]:
    """``[name, size, mtime_ns]`` of one file (sizes None when it cannot be read)."""
    name = relative_name(path, base)
    try:
        st = os.stat(path)
    except OSError:
        return [name, None, None]
    return [name, st.st_size, st.st_mtime_ns]


def file_signature(paths: Iterable[str | Path], base: Path) -> list[list[Any]]:
    """`file_facts` of each file, in a stable order."""
    return sorted(file_facts(p, base) for p in paths)


def recipe_files(recipe: Recipe, values: Iterable[str]) -> list[list[Any]]:
    """`file_signature` of the files a recipe names (files, folders, globs), or [] for none."""
    from hanji.text.io import expand

    values = list(values)
    files = expand([recipe.resolve_path(v) for v in values]) if values else []
    return file_signature(files, recipe.base_dir)
