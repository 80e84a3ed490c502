"""Korean corpus pipeline on datatrove: accounted readers, Korean filters, dedup, PII, mixture.

`build_corpus` is the one entry point the build orchestrator calls; everything heavy is
imported inside it so that importing this package (and `hanji --help`) stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hanji.recipe import Recipe

__all__ = ["build_corpus"]


def build_corpus(
    recipe: Recipe, out: Path, *, workers: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Run the whole corpus pipeline for ``recipe`` into ``out`` and return its stats.

    Re-running skips finished work; the returned dict is also written to out/stats.json.
    """
    from hanji.corpus.run import build_corpus as _build

    return _build(recipe, Path(out), workers=workers, progress=progress)
