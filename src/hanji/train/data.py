"""Training data: documents → token ids → packed ``seq_len`` blocks, sampled by domain.

Every batch is a pure function of (seed, step): a resumed run sees exactly the batches an
uninterrupted run would have seen, with no data-loader state to save.
"""

from __future__ import annotations

import json
import math
import random
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from hanji.text.io import expand, iter_records

MIXTURE_FILE = "mixture.json"


@dataclass
class DomainBlocks:
    """Packed blocks of one domain, and how many tokens they hold."""

    train: list[list[int]] = field(default_factory=list)
    heldout: list[list[int]] = field(default_factory=list)


def load_documents(paths: Iterable[str | Path]) -> dict[str, list[str]]:
    """Texts by domain (``domain`` field or column; ``other`` when absent)."""
    by_domain: dict[str, list[str]] = defaultdict(list)
    for path in expand(paths):
        for rec in iter_records(path):
            text = rec["text"]
            if text.strip():
                by_domain[str(rec.get("domain") or "other")].append(text)
    if not by_domain:
        raise ValueError(f"no documents with a non-empty 'text' in {list(map(str, paths))}")
    return dict(by_domain)


def find_mixture(paths: Iterable[str | Path]) -> dict[str, float] | None:
    """Sampling probabilities from a corpus ``mixture.json`` next to (or above) the data."""
    for raw in paths:
        p = Path(raw)
        for folder in (p if p.is_dir() else p.parent, *(p if p.is_dir() else p.parent).parents[:2]):
            f = folder / MIXTURE_FILE
            if f.is_file():
                data = json.loads(f.read_text("utf-8"))
                probs = data.get("probabilities") or {
                    d: v["probability"] for d, v in data.get("domains", {}).items()
                }
                return {str(k): float(v) for k, v in probs.items()}
    return None


def pack(docs: list[list[int]], seq_len: int, eos_id: int) -> list[list[int]]:
    """Concatenate documents with EOS between them and cut into blocks of ``seq_len + 1``.

    The extra token is the label of the last position; blocks overlap by that one token.
    """
    stream: list[int] = []
    for ids in docs:
        stream.extend(ids)
        stream.append(eos_id)
    width = seq_len + 1
    blocks = [stream[i : i + width] for i in range(0, max(len(stream) - 1, 0), seq_len)]
    if blocks and len(blocks[-1]) < width:
        # pad the tail block by wrapping to the start, so no token is wasted or padded.
        blocks[-1] = (blocks[-1] + stream)[:width]
    return [b for b in blocks if len(b) == width]


class PackedData:
    """Domain-sampled batches of packed blocks, plus a held-out slice for evaluation loss."""

    def __init__(
        self,
        texts_by_domain: dict[str, list[str]],
        tokenizer: Any,
        *,
        seq_len: int,
        seed: int = 0,
        heldout_fraction: float = 0.02,
        probabilities: dict[str, float] | None = None,
    ) -> None:
        eos = tokenizer.eos_token_id
        if eos is None:
            raise ValueError("the tokenizer has no EOS token; packing needs one between documents")
        self.seq_len = seq_len
        self.seed = seed
        self.domains: dict[str, DomainBlocks] = {}
        rng = random.Random(seed)
        for domain in sorted(texts_by_domain):
            docs = [
                tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts_by_domain[domain]
            ]
            blocks = pack(docs, seq_len, eos)
            if not blocks:
                continue
            rng.shuffle(blocks)
            n_held = 0
            if heldout_fraction > 0 and len(blocks) > 4:  # at least one block per domain
                n_held = max(math.floor(len(blocks) * heldout_fraction), 1)
            self.domains[domain] = DomainBlocks(train=blocks[n_held:], heldout=blocks[:n_held])
        if not self.domains:
            raise ValueError(f"the documents hold fewer than seq_len={seq_len} tokens")
        names = sorted(self.domains)
        if probabilities:
            weights = [max(probabilities.get(d, 0.0), 0.0) for d in names]
            if sum(weights) == 0:
                raise ValueError(f"mixture gives zero weight to every domain present: {names}")
        else:  # uniform over blocks: each domain in proportion to its size
            weights = [float(len(self.domains[d].train)) for d in names]
        total = sum(weights)
        self.names = names
        self.probabilities = {d: w / total for d, w in zip(names, weights, strict=True)}
        self.unsampled = [d for d in names if self.probabilities[d] == 0]
        """Domains present in the data that the mixture never samples (reported, not hidden)."""
        self._orders: dict[str, tuple[int, list[int]]] = {}

    @property
    def n_train_blocks(self) -> int:
        return sum(len(b.train) for b in self.domains.values())

    def heldout_blocks(self) -> list[list[int]]:
        return [blk for d in self.names for blk in self.domains[d].heldout]

    def batch(self, step: int, batch_size: int) -> tuple[torch.Tensor, list[str]]:
        """Blocks for ``step``: a domain per row by the mixture, a block within it by epoch."""
        rng = random.Random(self.seed * 1_000_003 + step)
        weights = [self.probabilities[d] for d in self.names]
        rows, domains = [], []
        for slot in range(batch_size):
            domain = rng.choices(self.names, weights)[0]
            blocks = self.domains[domain].train
            # walk a permutation of the domain's blocks that is re-drawn on every pass
            index = step * batch_size + slot
            epoch, pos = divmod(index, len(blocks))
            rows.append(blocks[self._order(domain, epoch)[pos]])
            domains.append(domain)
        return torch.tensor(rows, dtype=torch.long), domains

    def _order(self, domain: str, epoch: int) -> list[int]:
        """The permutation of ``domain``'s blocks for ``epoch`` (the last one is cached)."""
        cached = self._orders.get(domain)
        if cached is None or cached[0] != epoch:
            order = list(range(len(self.domains[domain].train)))
            random.Random(zlib.crc32(f"{self.seed}:{domain}:{epoch}".encode())).shuffle(order)
            cached = self._orders[domain] = (epoch, order)
        return cached[1]
