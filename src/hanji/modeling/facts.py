"""Facts about a model that a person choosing a base wants to see, Korean efficiency first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hanji.modeling.load import load_tokenizer, materialize
from hanji.modeling.resolve import ModelRef, resolve


def korean_sample() -> str:
    """The built-in Korean sample (original prose in four registers) used for chars/token."""
    return resources.files("hanji").joinpath("data/ko_sample.txt").read_text(encoding="utf-8")


def chars_per_token(tokenizer: Any, text: str) -> float:
    """Characters per token, without special tokens (higher is better for Korean)."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return len(text) / max(len(ids), 1)


@dataclass
class ModelFacts:
    ref: str
    kind: str
    source: str
    architecture: str
    model_type: str
    n_params: int
    vocab_size: int
    n_layers: int | None
    hidden_size: int | None
    context_length: int | None
    tied_embeddings: bool
    tokenizer_class: str
    ko_chars_per_token: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count_params(config: Any) -> int:
    # Build the model on the meta device: exact parameter count, no memory, no weights read.
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def model_facts(ref: str | Path | ModelRef) -> ModelFacts:
    from transformers import AutoConfig

    mref = ref if isinstance(ref, ModelRef) else resolve(ref)
    fast = materialize(mref)
    config = AutoConfig.from_pretrained(fast.source)
    tok = load_tokenizer(fast)
    return ModelFacts(
        ref=mref.ref,
        kind=mref.kind,
        source=str(Path(mref.source) / mref.gguf_file) if mref.gguf_file else mref.source,
        architecture=(config.architectures or [type(config).__name__])[0],
        model_type=config.model_type,
        n_params=_count_params(config),
        vocab_size=len(tok),
        n_layers=getattr(config, "num_hidden_layers", None),
        hidden_size=getattr(config, "hidden_size", None),
        context_length=getattr(config, "max_position_embeddings", None),
        tied_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
        tokenizer_class=type(tok).__name__,
        ko_chars_per_token=round(chars_per_token(tok, korean_sample()), 3),
    )
