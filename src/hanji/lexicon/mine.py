"""Rank the words of a corpus by how likely they are to be neologisms (신조어).

Each candidate's score in [0, 1] is a product of five factors:

- novelty: Kiwi's dictionary does not hold the word and its language model finds it
  improbable (and, with a reference corpus, the word is rarer there than here);
- noun-ness: the word is followed by particles and the copula, not by verb endings;
- boundary: right branching entropy over what follows it inside the word-unit and
  left branching entropy over what precedes it;
- cohesion: how often the word's first syllable continues into the whole word;
- support: enough occurrences spread over enough documents.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from hanji.lexicon.config import MineConfig
from hanji.lexicon.kiwi import get_kiwi, kiwi_view
from hanji.lexicon.segment import eojeols, is_hangul_word, split_sentences, stems_of_sentence
from hanji.lexicon.stats import StemStats, StemTable, entropy

Progress = Callable[[int], None]


@dataclass
class Candidate:
    """A ranked neologism candidate; `contexts` are real sentences from the input."""

    word: str
    score: float
    freq: int
    docs: int
    contexts: list[str]
    features: dict[str, float] = field(default_factory=dict)
    analysis: str = ""

    def as_record(self, max_contexts: int = 5) -> dict[str, object]:
        """The `candidates.jsonl` row: word, score, freq, contexts, then extras."""
        return {
            "word": self.word,
            "score": round(self.score, 4),
            "freq": self.freq,
            "contexts": self.contexts[:max_contexts],
            "docs": self.docs,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "kiwi": self.analysis,
        }


@dataclass
class MineResult:
    """Candidates plus what the output writer needs besides them."""

    candidates: list[Candidate]
    common_words: list[str]
    documents: int = 0
    sentences: int = 0
    eojeols: int = 0
    stems: int = 0
    folded: int = 0
    pruned: int = 0


def _batches(
    texts: Iterable[str], size: int, progress: Progress | None
) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for doc, text in enumerate(texts):
        batch.extend((doc, s) for s in split_sentences(text))
        if progress is not None:
            progress(len(text.encode("utf-8")))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _support(freq: int, docs: int) -> float:
    return 1.0 - math.exp(-math.sqrt(freq * docs) / 6.0)


def _score(st: StemStats, word: str, novelty: float, first_count: int) -> dict[str, float]:
    noun = (st.noun + 0.5) / (st.freq + 1.0)
    right = entropy(st.tails)
    left = entropy(st.lefts)
    boundary = (0.4 + 0.6 * min(1.0, right / 1.2)) * (0.8 + 0.2 * min(1.0, left / 1.5))
    cohesion = (st.freq / max(first_count, st.freq)) ** (1.0 / max(1, len(word) - 1))
    support = _support(st.freq, st.docs)
    score = novelty * noun * boundary * (0.6 + 0.4 * cohesion) * support
    return {
        "novelty": novelty,
        "noun": noun,
        "right_entropy": right,
        "left_entropy": left,
        "cohesion": cohesion,
        "support": support,
        "score": score,
    }


def _reference_counts(
    reference: Iterable[str], words: set[str], max_len: int
) -> tuple[Counter[str], int]:
    """Word-units of the reference that start with each candidate (no Kiwi: fast)."""
    counts: Counter[str] = Counter()
    total = 0
    for text in reference:
        for sentence in split_sentences(text):
            for start, end in eojeols(sentence):
                total += 1
                unit = sentence[start:end]
                for cut in range(2, min(len(unit), max_len) + 1):
                    if unit[:cut] in words:
                        counts[unit[:cut]] += 1
    return counts, total


def mine_with_stats(
    texts: Iterable[str],
    *,
    reference: Iterable[str] | None = None,
    config: MineConfig | None = None,
    progress: Progress | None = None,
) -> MineResult:
    """Mine `texts`; like `mine` but also returns corpus counts and common words.

    `progress` is called once per document read, with its size in UTF-8 bytes.
    """
    config = config or MineConfig()
    kiwi = get_kiwi()
    table = StemTable(config.max_contexts, config.max_context_chars, config.max_table, config.seed)
    documents = 0
    sentences = 0
    for batch in _batches(texts, config.batch_sentences, progress):
        token_lists = kiwi.tokenize([s for _, s in batch])
        for (doc, sentence), tokens in zip(batch, token_lists, strict=True):
            documents = max(documents, doc + 1)
            sentences += 1
            for occ in stems_of_sentence(sentence, tokens):
                table.add(occ, doc, sentence)
        table.maybe_prune()
    folded = table.fold_variants(config.min_len)

    pool = {
        w: st
        for w, st in table.stats.items()
        if config.min_len <= len(w) <= config.max_len
        and st.freq >= config.min_freq
        and st.docs >= config.min_docs
        and is_hangul_word(w)
    }
    ref_counts: Counter[str] = Counter()
    ref_total = 0
    if reference is not None:
        ref_counts, ref_total = _reference_counts(reference, set(pool), config.max_len)

    candidates: list[Candidate] = []
    common: list[tuple[int, str]] = []
    for word, st in pool.items():
        view = kiwi_view(word)
        if view.noun and st.noun >= 0.8 * st.freq:
            common.append((st.freq, word))
        novelty = view.novelty
        if ref_total and table.eojeols:
            # Expected count in the reference at the input's rate versus the count seen
            # there: absent → no change, as common as here → halved, far commoner → ~0.
            expected = st.freq / table.eojeols * ref_total
            novelty *= expected / (expected + ref_counts[word])
        if novelty <= 0.0:
            continue
        feats = _score(st, word, novelty, table.first_chars[word[0]])
        if ref_total:
            feats["reference_freq"] = float(ref_counts[word])
        score = feats.pop("score")
        candidates.append(
            Candidate(
                word=word,
                score=score,
                freq=st.freq,
                docs=st.docs,
                contexts=list(st.contexts),
                features=feats,
                analysis=view.analysis,
            )
        )
    candidates.sort(key=lambda c: (-c.score, -c.freq, c.word))
    common.sort(key=lambda x: (-x[0], x[1]))
    return MineResult(
        candidates=candidates[: config.max_candidates],
        common_words=[w for _, w in common[:500]],
        documents=documents,
        sentences=sentences,
        eojeols=table.eojeols,
        stems=len(table.stats),
        folded=folded,
        pruned=table.pruned,
    )


def mine(
    texts: Iterable[str],
    *,
    reference: Iterable[str] | None = None,
    config: MineConfig | None = None,
    progress: Progress | None = None,
) -> list[Candidate]:
    """Rank neologism candidates in `texts`, best first; `reference` marks words as not new."""
    return mine_with_stats(texts, reference=reference, config=config, progress=progress).candidates
