"""Per-stem counts gathered in one pass: frequency, documents, tails, left contexts, sentences.

Branching entropy here is over whole word-units: a real noun is followed by many
different particles (`갓생이`, `갓생을`, `갓생에서`) and preceded by many different words,
while a fragment of a longer word is always followed by the same rest.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from hanji.lexicon.segment import NOMINAL_SUFFIXES, SURFACE_SUFFIXES, Occurrence

_MAX_KEYS = 64  # distinct tails / left contexts kept per stem; the rest pool as '…'


@dataclass(slots=True)
class StemStats:
    """What was seen of one stem."""

    freq: int = 0
    docs: int = 0
    last_doc: int = -1
    noun: float = 0.0
    tails: Counter[str] = field(default_factory=Counter)
    lefts: Counter[str] = field(default_factory=Counter)
    contexts: list[str] = field(default_factory=list)
    offered: int = 0

    def offer(self, sentence: str, cap: int, rng: random.Random) -> None:
        """Reservoir-sample distinct sentences so contexts span the whole input."""
        if sentence in self.contexts:
            return
        self.offered += 1
        if len(self.contexts) < cap:
            self.contexts.append(sentence)
            return
        j = rng.randrange(self.offered)
        if j < cap:
            self.contexts[j] = sentence

    def absorb(self, other: StemStats, suffix: str, cap: int, rng: random.Random) -> None:
        """Fold a variant `stem + suffix` into this stem (its tails gain the suffix).

        A copula or light verb after the stem (`킹정하셨다`, `갑분싸였다`) is noun evidence
        even though a verb ending follows it; after a bare particle the variant keeps its
        own evidence. Document counts are added, so `docs` becomes an upper bound.
        """
        self.freq += other.freq
        self.docs += other.docs
        self.noun += other.freq if suffix in NOMINAL_SUFFIXES else other.noun
        for tail, n in other.tails.items():
            _bump(self.tails, suffix + tail, n)
        for left, n in other.lefts.items():
            _bump(self.lefts, left, n)
        for sentence in other.contexts:
            self.offer(sentence, cap, rng)


def _bump(counter: Counter[str], key: str, n: int = 1) -> None:
    if key in counter or len(counter) < _MAX_KEYS:
        counter[key] += n
    else:
        counter["…"] += n


def entropy(counter: Counter[str]) -> float:
    """Shannon entropy in nats of a count distribution."""
    total = sum(counter.values())
    if total <= 0:
        return 0.0
    return -sum(n / total * math.log(n / total) for n in counter.values() if n > 0)


class StemTable:
    """Stem → `StemStats`, with seen-once pruning when it grows past `max_table`."""

    def __init__(self, max_contexts: int, max_context_chars: int, max_table: int, seed: int):
        self.stats: dict[str, StemStats] = {}
        self.first_chars: Counter[str] = Counter()
        self.eojeols = 0
        self.pruned = 0
        self._cap = max_contexts
        self._max_chars = max_context_chars
        self._max_table = max_table
        self._rng = random.Random(seed)

    def add(self, occ: Occurrence, doc: int, sentence: str) -> None:
        """Count one occurrence of a stem in document `doc`, seen in `sentence`."""
        self.eojeols += 1
        if occ.stem:
            self.first_chars[occ.stem[0]] += 1
        st = self.stats.get(occ.stem)
        if st is None:
            st = self.stats[occ.stem] = StemStats()
        st.freq += 1
        st.noun += occ.noun
        if st.last_doc != doc:
            st.docs += 1
            st.last_doc = doc
        _bump(st.tails, occ.tail)
        _bump(st.lefts, occ.left)
        if len(sentence) <= self._max_chars:
            st.offer(sentence, self._cap, self._rng)

    def maybe_prune(self) -> None:
        """Drop stems seen once when the table is too big (soynlp-style memory bound)."""
        if len(self.stats) <= self._max_table:
            return
        before = len(self.stats)
        self.stats = {k: v for k, v in self.stats.items() if v.freq > 1}
        self.pruned += before - len(self.stats)

    def fold_variants(self, min_len: int) -> int:
        """Merge `stem + particle` entries into `stem` where the shorter form is better supported.

        A base wins when its own count plus the counts of all its particle variants exceeds
        the variant's count, and it is either seen alone twice or with two different
        particles; this keeps `댕댕이` whole while folding `얼죽아들` into `얼죽아`.
        Returns the number of variants folded.
        """
        support: Counter[str] = Counter()
        variety: dict[str, set[str]] = {}
        splits: dict[str, list[tuple[str, str]]] = {}

        def nounish(st: StemStats | None, at_least: int = 1) -> bool:
            return st is not None and st.freq >= at_least and st.noun >= 0.5 * st.freq

        for stem, st in self.stats.items():
            for cut in range(min_len, len(stem)):
                base, suffix = stem[:cut], stem[cut:]
                # A variant that reads as a noun may lose any particle; one that reads as a
                # verb (움직인다, 움직였다) may lose only a copula or light verb, and only
                # onto a base that is itself seen as a noun (킹정하셨다 → 킹정).
                if nounish(st):
                    ok = suffix in SURFACE_SUFFIXES
                else:
                    ok = suffix in NOMINAL_SUFFIXES and nounish(self.stats.get(base), 2)
                if ok:
                    support[base] += st.freq
                    variety.setdefault(base, set()).add(suffix)
                    splits.setdefault(stem, []).append((base, suffix))
        folded = 0
        for stem in sorted(splits, key=len, reverse=True):
            st = self.stats.get(stem)
            if st is None:
                continue
            best: tuple[int, str, str] | None = None
            for base, suffix in splits[stem]:
                own = self.stats[base].freq if base in self.stats else 0
                total = own + support[base]
                if total <= st.freq or (own < 2 and len(variety[base]) < 2):
                    continue
                if best is None or total > best[0]:
                    best = (total, base, suffix)
            if best is None:
                continue
            _, base, suffix = best
            target = self.stats.setdefault(base, StemStats())
            target.absorb(self.stats.pop(stem), suffix, self._cap, self._rng)
            folded += 1
        return folded
