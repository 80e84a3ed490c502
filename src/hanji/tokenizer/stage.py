"""The tokenizer as a build stage: the fingerprint of its inputs and settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hanji.fingerprint import digest

if TYPE_CHECKING:
    from hanji.recipe import Recipe


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    """The base model and vocabulary settings, and what it learns from (``upstream``: the
    corpus and the lexicon's must-have words)."""
    return digest(recipe.model.model_dump(), recipe.tokenizer.model_dump(), list(upstream))
