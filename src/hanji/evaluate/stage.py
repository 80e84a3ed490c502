"""Evaluation as a build stage: the fingerprint of its inputs and settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hanji.fingerprint import digest, recipe_files

if TYPE_CHECKING:
    from hanji.recipe import Recipe


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    """The eval settings, the base model (the baseline), the held-out and unseen files, and
    what it evaluates (``upstream``: the lexicon's probe, the trained model)."""
    e = recipe.eval
    files = recipe_files(recipe, [*e.heldout, *e.unseen])
    return digest(e.model_dump(), recipe.model.model_dump(), files, list(upstream))
