"""Resolve, load and save base models: the embedded default, local HF dirs, Hub ids, GGUF files."""

from hanji.modeling.errors import ModelResolutionError
from hanji.modeling.facts import ModelFacts, model_facts
from hanji.modeling.load import (
    autocast_for,
    load_model,
    load_model_and_tokenizer,
    load_tokenizer,
    pick_precision,
    save_model,
)
from hanji.modeling.resolve import EMBEDDED, ModelRef, resolve

__all__ = [
    "EMBEDDED",
    "ModelFacts",
    "ModelRef",
    "ModelResolutionError",
    "autocast_for",
    "load_model",
    "load_model_and_tokenizer",
    "load_tokenizer",
    "model_facts",
    "pick_precision",
    "resolve",
    "save_model",
]
