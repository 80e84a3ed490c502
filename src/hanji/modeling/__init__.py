"""Resolve, load and save base models: the embedded default, local HF dirs, Hub ids, GGUF files."""

from hanji.lazy import lazy_exports

# Imported on first use: the CLI imports this package for every `hanji` command.
__all__ = lazy_exports(
    __name__,
    {
        "EMBEDDED": "hanji.modeling.resolve",
        "ModelFacts": "hanji.modeling.facts",
        "ModelRef": "hanji.modeling.resolve",
        "ModelResolutionError": "hanji.modeling.errors",
        "autocast_for": "hanji.modeling.load",
        "load_model": "hanji.modeling.load",
        "load_model_and_tokenizer": "hanji.modeling.load",
        "load_tokenizer": "hanji.modeling.load",
        "model_facts": "hanji.modeling.facts",
        "pick_precision": "hanji.modeling.load",
        "resolve": "hanji.modeling.resolve",
        "save_model": "hanji.modeling.load",
    },
)
