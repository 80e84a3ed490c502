"""The corpus as a build stage: the fingerprint of its inputs and settings.

The same inputs and steps as `hanji.corpus.run.data_fingerprint` (which decides whether
the corpus work starts over), plus the mixture settings, since the build skips the whole
stage and mixture.json with it. ``workers`` and ``executor`` are left out: how the corpus
is computed does not change it, so changing them reruns nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hanji.fingerprint import digest

if TYPE_CHECKING:
    from hanji.recipe import Recipe


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    from hanji.corpus.readers.sources import expand_sources
    from hanji.corpus.run import data_fingerprint, decontamination_paths

    data = data_fingerprint(recipe, expand_sources(recipe), decontamination_paths(recipe))
    cfg = recipe.corpus
    return digest(data, cfg.weights, cfg.max_epochs, list(upstream))
