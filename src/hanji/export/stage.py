"""The export as a build stage: the fingerprint of its settings and the model it reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hanji.fingerprint import digest

if TYPE_CHECKING:
    from hanji.recipe import Recipe

# Bump when the bytes written for the same model change (tensor layout, metadata).
EXPORT_VERSION = 1


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    """The GGUF types asked for, the output name and the trained model (``upstream``)."""
    return digest(EXPORT_VERSION, recipe.export.model_dump(), recipe.name, list(upstream))
