"""The two pieces every stage's fingerprint is made of: a digest, and facts about input files.

Each stage package (`corpus`, `lexicon`, `tokenizer`, `train`, `evaluate`) owns the one
`fingerprint` of its own inputs and settings; `hanji build` only calls them and skips a
stage whose fingerprint has not changed. File facts name a file relative to the recipe's
folder (`relative_name`, ``../data/…`` too) and describe it by size and content digest,
never by mtime, so a project moved or copied whole (even by a copy that does not keep
mtimes) keeps its fingerprints. Digests are cached per machine by path, size and mtime
(`digest_cache_path`): a file is read once, not on every build.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import time
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
    """``path`` relative to ``base`` (POSIX slashes, ``..`` allowed) when the two share a
    folder below the filesystem root, as a recipe and its ``../data`` do; else absolute.

    So a project folder moved or copied whole keeps its names, while data named by an
    absolute path elsewhere on the machine keeps its absolute name.
    """
    p, b = os.path.abspath(path), os.path.abspath(base)
    try:
        common = os.path.commonpath([p, b])
    except ValueError:  # different drives
        return p
    if common == os.path.dirname(common):  # only the root is shared
        return p
    return Path(os.path.relpath(p, b)).as_posix()


def digest_cache_path() -> Path:
    """The per-machine cache of file digests, next to the converted models."""
    from hanji.modeling.load import cache_dir

    return cache_dir() / "file-digests.json"


_digests: dict[str, str] | None = None


def _digest_cache() -> dict[str, str]:
    global _digests
    if _digests is None:
        try:
            _digests = json.loads(digest_cache_path().read_text("utf-8"))
        except (OSError, ValueError):
            _digests = {}
    return _digests


def content_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes; reused while its path, size and mtime stay the same."""
    p = os.path.abspath(path)
    st = os.stat(p)
    key = f"{p}|{st.st_size}|{st.st_mtime_ns}"
    cache = _digest_cache()
    if key in cache:
        return cache[key]
    with open(p, "rb") as handle:
        value = hashlib.file_digest(handle, "sha256").hexdigest()
    # A file written in the last seconds may change again within the clock's granularity,
    # keeping its size and mtime: such a digest is not remembered (git's "racy clean" rule).
    if time.time_ns() - st.st_mtime_ns > RACY_NS:
        cache[key] = value
        if not _dirty:
            atexit.register(save_digests)
        _dirty.append(key)
    return value


RACY_NS = 3_000_000_000


_dirty: list[str] = []


def save_digests() -> None:
    """Write the digests learnt by this process (at exit; a lost write costs a re-read)."""
    if not _dirty or _digests is None:
        return
    target = digest_cache_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        live = {k: v for k, v in _digests.items() if os.path.exists(k.rsplit("|", 2)[0])}
        tmp.write_text(json.dumps(live), encoding="utf-8")
        os.replace(tmp, target)
        _dirty.clear()
    except OSError:
        pass


def file_facts(path: str | Path, base: Path) -> list[Any]:
    """``[name, size, sha256]`` of one file (None, None when it cannot be read)."""
    name = relative_name(path, base)
    try:
        return [name, os.stat(path).st_size, content_digest(path)]
    except OSError:
        return [name, None, None]


def file_signature(paths: Iterable[str | Path], base: Path) -> list[list[Any]]:
    """`file_facts` of each file, in a stable order."""
    return sorted(file_facts(p, base) for p in paths)


def recipe_files(recipe: Recipe, values: Iterable[str]) -> list[list[Any]]:
    """`file_signature` of the files a recipe names (files, folders, globs), or [] for none."""
    from hanji.text.io import expand

    values = list(values)
    files = expand([recipe.resolve_path(v) for v in values]) if values else []
    return file_signature(files, recipe.base_dir)
