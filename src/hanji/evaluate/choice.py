"""Log-likelihood ranking of options: the neologism probe and multiple-choice tasks.

An option is scored as log p(option + suffix | prefix). ``raw`` ranks by the summed log
probability; ``norm`` divides it by the number of characters scored, so long options are not
penalised for their length (characters, not tokens: the figure must not depend on the
tokenizer).

The options of one question share its prompt (with few-shot examples, most of the tokens):
`score_options` runs the shared tokens once and reuses their key/value cache for every option,
so a question costs one prompt plus its options instead of one prompt per option.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class OptionScores:
    raw: list[float]
    norm: list[float]

    @property
    def pick_raw(self) -> int:
        return max(range(len(self.raw)), key=self.raw.__getitem__)

    @property
    def pick_norm(self) -> int:
        return max(range(len(self.norm)), key=self.norm.__getitem__)


def _ids(tokenizer: Any, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _sep(tokenizer: Any) -> int:
    return tokenizer.eos_token_id if tokenizer.eos_token_id is not None else tokenizer.bos_token_id


def _shared(full: list[int], head: list[int]) -> int:
    """Length of the run of ids ``full`` shares with the prefix's own tokenization (>= 1)."""
    shared = 0
    while shared < min(len(full), len(head)) and full[shared] == head[shared]:
        shared += 1
    return max(shared, 1)


def _window(model: Any) -> int:
    return getattr(model.config, "max_position_embeddings", 2048) or 2048


@torch.no_grad()
def continuation_logprob(model: Any, tokenizer: Any, prefix: str, continuation: str) -> float:
    """log p(continuation | prefix) in nats, under the tokenization of the whole string.

    The whole string is tokenized once; the scored tokens are those after the longest
    run of ids shared with the tokenization of the prefix alone (a token may straddle the
    boundary, and then it belongs to the continuation).
    """
    sep = _sep(tokenizer)
    full = [sep, *_ids(tokenizer, prefix + continuation)]
    shared = _shared(full, [sep, *_ids(tokenizer, prefix)])
    if shared >= len(full):
        return 0.0
    device = next(model.parameters()).device
    ids = full[-_window(model) :]
    offset = len(full) - len(ids)
    x = torch.tensor([ids], device=device)
    logp = torch.log_softmax(model(input_ids=x).logits[0, :-1].float(), dim=-1)
    start = max(shared - offset, 1)
    targets = x[0, start:]
    return float(logp[start - 1 :].gather(1, targets[:, None]).sum())


def _cache_kwarg(model: Any) -> str:
    # transformers 5 renamed the forward argument ``past_key_values`` to ``cache``.
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


@torch.no_grad()
def _cached_logprobs(model: Any, fulls: list[list[int]], starts: list[int]) -> list[float]:
    """Sum of log p(full[t]) for t >= start, per sequence, running the ids all sequences
    share once and continuing each sequence from that key/value cache."""
    device = next(model.parameters()).device
    key = _cache_kwarg(model)
    common = min(starts) - 1  # tokens before the first scored target of any option
    out = model(input_ids=torch.tensor([fulls[0][:common]], device=device), use_cache=True)
    cache = out.cache if key == "cache" else out.past_key_values
    last = out.logits[0, -1:].float()  # predicts token ``common``
    scores = []
    for full, start in zip(fulls, starts, strict=True):
        rest = torch.tensor([full[common:]], device=device)
        logits = model(input_ids=rest, use_cache=True, **{key: cache}).logits[0].float()
        cache.crop(-rest.shape[1])  # back to the shared tokens (negative: tokens to drop)
        # rows: position common-1, common, ..., len-2 → they predict tokens common .. len-1
        logp = torch.log_softmax(torch.cat([last, logits[:-1]]), dim=-1)
        picked = logp.gather(1, rest[0, :, None])[:, 0]
        scores.append(float(picked[start - common :].sum()))
    return scores


def _can_cache(model: Any, fulls: list[list[int]], starts: list[int]) -> bool:
    return (
        hasattr(model, "generate")  # a transformers causal LM: accepts past_key_values
        and min(starts) >= 2
        and max(len(f) for f in fulls) <= _window(model)
        and all(s < len(f) for f, s in zip(fulls, starts, strict=True))
    )


def score_options(
    model: Any, tokenizer: Any, prefix: str, options: list[str], suffix: str = ""
) -> OptionScores:
    sep = _sep(tokenizer)
    head = [sep, *_ids(tokenizer, prefix)]
    fulls = [[sep, *_ids(tokenizer, prefix + o + suffix)] for o in options]
    starts = [_shared(full, head) for full in fulls]
    if _can_cache(model, fulls, starts):
        raw = _cached_logprobs(model, fulls, starts)
    else:
        raw = [continuation_logprob(model, tokenizer, prefix, o + suffix) for o in options]
    norm = [lp / max(len(o + suffix), 1) for lp, o in zip(raw, options, strict=True)]
    return OptionScores(raw, norm)
