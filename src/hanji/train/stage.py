"""Training as a build stage: the fingerprint of its inputs and settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hanji.fingerprint import digest, recipe_files

if TYPE_CHECKING:
    from hanji.recipe import Recipe


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    """The training settings, the SFT file, and what it trains on (``upstream``: corpus,
    lexicon documents, the tokenizer's model)."""
    sft = recipe.train.sft
    return digest(
        recipe.train.model_dump(), recipe_files(recipe, [sft.data] if sft else []), list(upstream)
    )
