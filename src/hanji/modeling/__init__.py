"""Resolve, load and save base models: the embedded default, local HF dirs, Hub ids, GGUF files."""

from hanji.modeling.errors import ModelResolutionError
from hanji.modeling.facts import ModelFacts, model_facts
from hanji.modeling.load import load_model, load_model_and_tokenizer, load_tokenizer, save_model
from hanji.modeling.resolve import EMBEDDED, ModelRef, resolve

__all__ = [
    "EMBEDDED",
    "ModelFacts",
    "ModelRef",
    "ModelResolutionError",
    "load_model",
    "load_model_and_tokenizer",
    "load_tokenizer",
    "model_facts",
    "resolve",
    "save_model",
]
