"""Bits per character: the fair way to compare models whose tokenizers differ.

BPC = (summed negative log-likelihood of the text, in bits) / (number of characters).
Per-token perplexity rewards a tokenizer that cuts text into fewer, harder tokens; bits
per character does not care how the text is cut. Each document starts after the model's
document separator (EOS), so its first token is scored too, and long documents are scored
with a sliding window: every token is scored exactly once, with up to ``window`` tokens of
context. Texts are scored in NFC, so a character is a precomposed syllable even when a
file stores Hangul as decomposed jamo (NFD would otherwise count two or three "characters"
per syllable and lower the BPC it reports).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

LN2 = math.log(2)


@dataclass
class BpcResult:
    bits: float = 0.0
    chars: int = 0
    tokens: int = 0
    docs: int = 0
    by_group: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def bpc(self) -> float:
        return self.bits / self.chars if self.chars else float("nan")

    def add(self, group: str, bits: float, chars: int, tokens: int) -> None:
        self.bits += bits
        self.chars += chars
        self.tokens += tokens
        self.docs += 1
        g = self.by_group.setdefault(group, {"bits": 0.0, "chars": 0, "tokens": 0, "docs": 0})
        g["bits"] += bits
        g["chars"] += chars
        g["tokens"] += tokens
        g["docs"] += 1

    def group_bpc(self) -> dict[str, float]:
        return {k: v["bits"] / v["chars"] for k, v in sorted(self.by_group.items()) if v["chars"]}


def _context_limit(model: Any, window: int | None) -> int:
    limit = getattr(model.config, "max_position_embeddings", None) or 2048
    return min(window or limit, limit)


@torch.no_grad()
def sequence_nll(model: Any, ids: list[int], *, window: int, stride: int | None = None) -> float:
    """Summed NLL in nats of ``ids[1:]`` given what precedes them (``ids[0]`` is context).

    Windows of at most ``window`` tokens start every ``stride`` tokens; each window scores
    only the targets that earlier windows did not, so every token is scored exactly once,
    and (after the first window) with at least ``window - stride`` tokens of context.
    """
    if window < 2:
        raise ValueError("window must be at least 2 tokens")
    stride = min(stride or max(window // 2, 1), window - 1)
    device = next(model.parameters()).device
    total = 0.0
    scored = 0  # the last target position already scored; targets are 1 .. n-1
    begin = 0
    n = len(ids)
    while scored < n - 1:
        end = min(begin + window, n)
        chunk = torch.tensor([ids[begin:end]], device=device)
        logp = torch.log_softmax(model(input_ids=chunk).logits[0, :-1].float(), dim=-1)
        row0 = scored - begin  # logits row j predicts ids[begin + j + 1]
        targets = chunk[0, row0 + 1 :]
        total -= float(logp[row0:].gather(1, targets[:, None]).sum())
        scored = end - 1
        begin += stride
    return total


def document_bits(
    model: Any, tokenizer: Any, text: str, *, window: int | None = None
) -> tuple[float, int]:
    """Bits for ``text`` and the number of tokens it took."""
    sep = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else tokenizer.bos_token_id
    if sep is None:
        raise ValueError("the tokenizer has neither an EOS nor a BOS token to start documents")
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    nats = sequence_nll(model, [sep, *ids], window=_context_limit(model, window))
    return nats / LN2, len(ids)


def bits_per_character(
    model: Any,
    tokenizer: Any,
    docs: Iterable[tuple[str, str]],
    *,
    window: int | None = 2048,
    progress: Any = None,
) -> BpcResult:
    """BPC over ``(group, text)`` pairs; overall = total bits / total characters."""
    model.eval()
    result = BpcResult()
    for group, text in docs:
        text = unicodedata.normalize("NFC", text)
        if not text:
            continue
        bits, n_tok = document_bits(model, tokenizer, text, window=window)
        result.add(group, bits, len(text), n_tok)
        if progress is not None:
            progress()
    return result
