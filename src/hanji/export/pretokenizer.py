"""Which of llama.cpp's pre-tokenizers splits text the way a tokenizer.json does.

A byte-level BPE first cuts text into pre-tokens (words, numbers, runs of punctuation) and
applies merges only inside them. llama.cpp does not read the Hugging Face pre-tokenizer
spec: a GGUF names one of the splitters compiled into llama.cpp (``tokenizer.ggml.pre``).
The wrong name tokenizes some text differently and silently, so the spec is matched here
against the few splitters hanji's recipes can produce, and anything else is refused.

The regular expressions are the published split rules of each family (GPT-2, Llama-3,
Qwen2), written out as the tokenizer.json of those models stores them.
"""

from __future__ import annotations

import json
from typing import Any

from hanji.export.errors import ExportError

# Llama-3: letters with one leading non-letter, numbers in groups of up to three digits.
_LLAMA3 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Qwen2: as Llama-3, but every digit is a pre-token of its own.
_QWEN2 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Normalizers llama.cpp leaves out are harmless only when they change nothing hanji feeds it:
# NFC is what every hanji stage writes (Qwen2's tokenizer.json carries one).
_HARMLESS_NORMALIZERS = ({"type": "NFC"},)


def _steps(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    if spec is None:
        return []
    if spec.get("type") == "Sequence":
        return [s for step in spec.get("pretokenizers", []) for s in _steps(step)]
    return [spec]


def _byte_level(step: dict[str, Any], *, use_regex: bool) -> bool:
    return (
        step.get("type") == "ByteLevel"
        and bool(step.get("use_regex", True)) == use_regex
        and not step.get("add_prefix_space", False)
    )


def _split(step: dict[str, Any], pattern: str) -> bool:
    return (
        step.get("type") == "Split"
        and step.get("pattern", {}).get("Regex") == pattern
        and step.get("behavior") == "Isolated"
        and not step.get("invert", False)
    )


def _digits(step: dict[str, Any]) -> bool:
    return step.get("type") == "Digits" and bool(step.get("individual_digits"))


def _describe(spec: dict[str, Any] | None) -> str:
    steps = _steps(spec)
    return " + ".join(s.get("type", "?") for s in steps) if steps else "none"


def llama_cpp_pre(tokenizer_json: dict[str, Any]) -> str:
    """The ``tokenizer.ggml.pre`` value for ``tokenizer_json``, or `ExportError`."""
    normalizer = tokenizer_json.get("normalizer")
    if normalizer is not None and normalizer not in _HARMLESS_NORMALIZERS:
        norms = [normalizer] if normalizer.get("type") != "Sequence" else normalizer["normalizers"]
        if not all(n in _HARMLESS_NORMALIZERS for n in norms):
            raise ExportError(
                f"the tokenizer has a normalizer ({json.dumps(normalizer)[:120]}) that llama.cpp "
                "does not apply; its GGUF would tokenize differently, so it is not exported"
            )
    steps = _steps(tokenizer_json.get("pre_tokenizer"))
    if len(steps) == 1 and _byte_level(steps[0], use_regex=True):
        return "gpt-2"
    if len(steps) == 2 and _digits(steps[0]) and _byte_level(steps[1], use_regex=True):
        return "smollm"
    if len(steps) == 2 and _byte_level(steps[1], use_regex=False):
        if _split(steps[0], _LLAMA3):
            return "llama-bpe"
        if _split(steps[0], _QWEN2):
            return "qwen2"
    raise ExportError(
        f"llama.cpp has no pre-tokenizer known to split text like this tokenizer "
        f"({_describe(tokenizer_json.get('pre_tokenizer'))}); exporting it would tokenize "
        "some text differently from the model's own tokenizer. Supported: GPT-2/SmolLM-style "
        "ByteLevel, SmolLM's digit split, Llama-3 and Qwen2 splits."
    )
