"""Log-likelihood ranking of options: the neologism probe and multiple-choice tasks.

An option is scored as log p(option + suffix | prefix). ``raw`` ranks by the summed log
probability; ``norm`` divides it by the number of characters scored, so long options are not
penalised for their length (characters, not tokens: the figure must not depend on the
tokenizer).
"""

from __future__ import annotations

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


@torch.no_grad()
def continuation_logprob(model: Any, tokenizer: Any, prefix: str, continuation: str) -> float:
    """log p(continuation | prefix) in nats, under the tokenization of the whole string.

    The whole string is tokenized once; the scored tokens are those after the longest
    run of ids shared with the tokenization of the prefix alone (a token may straddle the
    boundary, and then it belongs to the continuation).
    """
    sep = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else tokenizer.bos_token_id
    full = [sep, *_ids(tokenizer, prefix + continuation)]
    head = [sep, *_ids(tokenizer, prefix)]
    shared = 0
    while shared < min(len(full), len(head)) and full[shared] == head[shared]:
        shared += 1
    shared = max(shared, 1)
    if shared >= len(full):
        return 0.0
    device = next(model.parameters()).device
    window = getattr(model.config, "max_position_embeddings", 2048) or 2048
    ids = full[-window:]
    offset = len(full) - len(ids)
    x = torch.tensor([ids], device=device)
    logp = torch.log_softmax(model(input_ids=x).logits[0, :-1].float(), dim=-1)
    start = max(shared - offset, 1)
    targets = x[0, start:]
    return float(logp[start - 1 :].gather(1, targets[:, None]).sum())


def score_options(
    model: Any, tokenizer: Any, prefix: str, options: list[str], suffix: str = ""
) -> OptionScores:
    raw, norm = [], []
    for option in options:
        lp = continuation_logprob(model, tokenizer, prefix, option + suffix)
        raw.append(lp)
        norm.append(lp / max(len(option + suffix), 1))
    return OptionScores(raw, norm)
