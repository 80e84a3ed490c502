"""Rank the words of a corpus by how likely they are to be neologisms (신조어).

Each candidate's score in [0, 1] is a product of five factors:

- novelty: Kiwi's dictionary does not hold the word and its language model finds it
  improbable; with a reference corpus, also the posterior that the word is new there
  (`reference_novelty`: a likelihood ratio over document counts, not a rate ratio);
- noun-ness: the word is followed by particles and the copula, not by verb endings;
- boundary: right branching entropy over what follows it inside the word-unit and
  left branching entropy over what precedes it;
- cohesion: how often the word's first syllable continues into the whole word;
- support: enough documents (not occurrences: uses inside one document are not
  independent), so a word used 3–6 times in different documents ranks, and a word used
  many times in one document (a name in one story, a typo copied through one page) does not.

Word-units are analysed once per distinct form (`_UnitCache`): Kiwi sees each distinct
word-unit alone, which is what keeps mining fast on real corpora that repeat their words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from hanji.lexicon.config import MineConfig
from hanji.lexicon.kiwi import get_kiwi, kiwi_view
from hanji.lexicon.segment import (
    Occurrence,
    eojeols,
    is_hangul_word,
    split_sentences,
    stems_of_sentence,
)
from hanji.lexicon.stats import StemStats, StemTable, entropy

Progress = Callable[[int], None]

MINE_VERSION = 2
"""Bumped whenever the same inputs would mine differently: it is part of the build's
lexicon fingerprint (`hanji.lexicon.stage.fingerprint`). 2: issue 25 (reference likelihood
ratio, document-based support, typo filter, per-unit analysis, domain_terms.jsonl)."""

BLOCK_UNITS = 1000
"""A document longer than this many word-units is counted as several blocks, so that one
long file (a reference given as a single .txt) still has document counts to compare."""

REFERENCE_NOISE = 1e-3
"""Under "new", the chance that one reference block uses the word anyway (an early use,
a quotation): each block that does multiplies the evidence for "new" by this."""

TYPO_RATIO = 20
"""A candidate of 3 or more syllables seen at most 6 times that differs in one syllable from
a stem seen this many times more often is taken for a typo of it."""


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
class DomainTerm:
    """A word the reference uses too (so not new) that Kiwi's dictionary lacks: a domain term.

    Not a neologism, but worth one token: `domain_terms.jsonl` for the tokenizer.
    """

    word: str
    freq: int
    docs: int
    reference_freq: int
    reference_docs: int
    analysis: str = ""

    def as_record(self) -> dict[str, object]:
        return {
            "word": self.word,
            "freq": self.freq,
            "docs": self.docs,
            "reference_freq": self.reference_freq,
            "reference_docs": self.reference_docs,
            "kiwi": self.analysis,
        }


@dataclass
class MineResult:
    """Candidates plus what the output writer needs besides them.

    ``typos`` maps each rare candidate dropped as a typo to the common stem it misspells.
    """

    candidates: list[Candidate]
    common_words: list[str]
    domain_terms: list[DomainTerm] = field(default_factory=list)
    typos: dict[str, str] = field(default_factory=dict)
    documents: int = 0
    sentences: int = 0
    eojeols: int = 0
    stems: int = 0
    folded: int = 0
    pruned: int = 0


def _blocks(texts: Iterable[str], counter: list[int]) -> Iterator[tuple[int, str]]:
    """(block, sentence) pairs; a block is a document or a `BLOCK_UNITS` slice of one.

    ``counter`` holds [documents, blocks] read so far.
    """
    block = -1
    for text in texts:
        counter[0] += 1
        block += 1
        units = 0
        for sentence in split_sentences(text):
            n = sentence.count(" ") + 1
            if units and units + n > BLOCK_UNITS:
                block += 1
                units = 0
            units += n
            yield block, sentence
        counter[1] = block + 1


def _batches(
    texts: Iterable[str], size: int, progress: Progress | None, counter: list[int]
) -> Iterator[list[tuple[int, str]]]:
    def measured() -> Iterator[str]:
        for text in texts:
            yield text
            if progress is not None:
                progress(len(text.encode("utf-8")))

    batch: list[tuple[int, str]] = []
    for pair in _blocks(measured(), counter):
        batch.append(pair)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _starts_hangul(unit: str) -> bool:
    return "가" <= unit[0] <= "힣"


_RAW_UNIT = re.compile(r"\S+")


def _hangul_units(sentence: str) -> Iterator[str]:
    """Whitespace-delimited pieces of ``sentence`` whose word-unit starts with Hangul."""
    for raw in _RAW_UNIT.findall(sentence):
        for start, _ in eojeols(raw):
            if _starts_hangul(raw[start]):
                yield raw
            break


class _UnitCache:
    """Stem, tail and noun evidence of each distinct word-unit, from Kiwi on the unit alone.

    Kiwi sees the unit with its punctuation (`럭키비키."`): a bare noun at the end of a
    sentence reads as one only with the full stop after it. Only units whose word starts
    with a Hangul syllable are analysed: a candidate is a Hangul prefix of a word-unit, so
    the others (API는, 3.5%) are only counted.
    """

    def __init__(self, kiwi: object, limit: int = 1_000_000) -> None:
        self.kiwi = kiwi
        self.limit = limit
        self.known: dict[str, tuple[str, str, float]] = {}

    def fill(self, raws: Iterable[str]) -> None:
        todo = list(dict.fromkeys(u for u in raws if u not in self.known))
        if not todo:
            return
        if len(self.known) + len(todo) > self.limit:
            self.known.clear()
        analyses = self.kiwi.tokenize(todo)  # type: ignore[attr-defined]
        for raw, tokens in zip(todo, analyses, strict=True):
            occ = next(stems_of_sentence(raw, tokens), None)
            self.known[raw] = (occ.stem, occ.tail, occ.noun) if occ else (raw, "", 0.5)

    def occurrences(self, sentence: str) -> Iterator[Occurrence | None]:
        """Each word-unit of ``sentence``: an `Occurrence`, or None when it is only counted."""
        left = "^"
        for match in _RAW_UNIT.finditer(sentence):
            raw = match.group()
            for start, end in eojeols(raw):
                if _starts_hangul(raw[start]):
                    stem, tail, noun = self.known[raw]
                    yield Occurrence(stem=stem, tail=tail, noun=noun, left=left)
                else:
                    yield None
                left = raw[end - 1]


def _support(docs: int) -> float:
    """Evidence of use from the number of documents (blocks) the word is seen in.

    One document gives 0.18, three 0.63, six 0.89: a word the whole input uses in one
    document (a name in one story, a typo copied through one page) seldom passes.
    """
    return 1.0 - math.exp(-(docs - 0.5) / 2.5)


def reference_novelty(
    here: int, there: int, blocks_here: int, blocks_there: int, noise: float = REFERENCE_NOISE
) -> float:
    """Posterior (even prior odds) that a word seen in ``here`` of ``blocks_here`` documents
    and ``there`` of ``blocks_there`` reference documents is new rather than old.

    "old": the word is used at the same per-document rate in both corpora, so given the
    ``here + there`` documents that use it, ``there`` follows a binomial with the
    reference's share of documents. "new": the reference would not use it, except by an
    early use per block at rate ``noise``. Low counts stay honest: 3 uses and none in a
    reference ten times larger is strong evidence (1331 : 1), 3 and none in one the same
    size is weak (8 : 1), and 3 against 1 in the larger one is evidence for "old".
    """
    if blocks_there <= 0 or here <= 0:
        return 1.0
    share = blocks_there / (blocks_here + blocks_there)
    k = here + there
    log_old = (
        math.lgamma(k + 1)
        - math.lgamma(there + 1)
        - math.lgamma(here + 1)
        + there * math.log(share)
        + here * math.log1p(-share)
    )
    log_new = there * math.log(noise)
    z = log_new - log_old
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _score(st: StemStats, word: str, novelty: float, first_count: int) -> dict[str, float]:
    """The five factors and their product; ``score`` is the candidate's rank key."""
    noun = (st.noun + 0.5) / (st.freq + 1.0)
    right = entropy(st.tails)
    left = entropy(st.lefts)
    boundary = (0.4 + 0.6 * min(1.0, right / 1.2)) * (0.8 + 0.2 * min(1.0, left / 1.5))
    cohesion = (st.freq / max(first_count, st.freq)) ** (1.0 / max(1, len(word) - 1))
    support = _support(st.docs)
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


@dataclass
class ReferenceCounts:
    """Per candidate: word-units of the reference that start with it, and blocks using it."""

    freq: Counter[str] = field(default_factory=Counter)
    blocks: Counter[str] = field(default_factory=Counter)
    units: int = 0
    total_blocks: int = 0
    documents: int = 0


def _reference_counts(reference: Iterable[str], words: set[str], max_len: int) -> ReferenceCounts:
    """Count the candidates in the reference (no Kiwi: a prefix match per word-unit, fast)."""
    ref = ReferenceCounts()
    counter = [0, 0]
    current = -1
    seen: set[str] = set()
    for block, sentence in _blocks(reference, counter):
        if block != current:
            ref.blocks.update(seen)
            seen = set()
            current = block
        for start, end in eojeols(sentence):
            ref.units += 1
            unit = sentence[start:end]
            if not _starts_hangul(unit):
                continue
            for cut in range(2, min(len(unit), max_len) + 1):
                prefix = unit[:cut]
                if prefix in words:
                    ref.freq[prefix] += 1
                    seen.add(prefix)
    ref.blocks.update(seen)
    ref.documents, ref.total_blocks = counter
    return ref


def _typos(pool: dict[str, StemStats], stats: dict[str, StemStats]) -> dict[str, str]:
    """Rare candidates one syllable away from a far commoner stem: candidate → that stem."""
    # Two-syllable words share a syllable with far too many others to judge (취존, 취소).
    rare = {w: st.freq for w, st in pool.items() if st.freq <= 6 and len(w) >= 3}
    if not rare:
        return {}
    keys: dict[str, list[str]] = {}
    for word in rare:
        for i in range(len(word)):
            keys.setdefault(word[:i] + "*" + word[i + 1 :], []).append(word)
    found: dict[str, str] = {}
    for stem, st in stats.items():
        if st.freq < TYPO_RATIO * 3:
            continue
        for i in range(len(stem)):
            for word in keys.get(stem[:i] + "*" + stem[i + 1 :], ()):
                if word != stem and st.freq >= TYPO_RATIO * rare[word]:
                    found.setdefault(word, stem)
    return found


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
    cache = _UnitCache(get_kiwi())
    table = StemTable(config.max_contexts, config.max_context_chars, config.max_table, config.seed)
    counter = [0, 0]
    sentences = 0
    for batch in _batches(texts, config.batch_sentences, progress, counter):
        cache.fill(u for _, s in batch for u in _hangul_units(s))
        for block, sentence in batch:
            sentences += 1
            for occ in cache.occurrences(sentence):
                if occ is None:
                    table.eojeols += 1
                else:
                    table.add(occ, block, sentence)
        table.maybe_prune()
    documents, blocks = counter
    folded = table.fold_variants(config.min_len)

    pool = {
        w: st
        for w, st in table.stats.items()
        if config.min_len <= len(w) <= config.max_len
        and st.freq >= config.min_freq
        and st.docs >= config.min_docs
        and is_hangul_word(w)
    }
    ref: ReferenceCounts | None = None
    if reference is not None:
        ref = _reference_counts(reference, set(pool), config.max_len)
    typos = _typos(pool, table.stats)
    if ref is not None:  # a word the reference uses too is a word, judged by the reference
        typos = {w: stem for w, stem in typos.items() if not ref.blocks[w]}

    candidates: list[Candidate] = []
    domain: list[DomainTerm] = []
    common: list[tuple[int, str]] = []
    for word, st in pool.items():
        view = kiwi_view(word)
        if view.noun and st.noun >= 0.8 * st.freq:
            common.append((st.freq, word))
        if word in typos:
            continue
        novelty = view.novelty
        new = 1.0
        if ref is not None and ref.total_blocks:
            new = reference_novelty(st.docs, ref.blocks[word], blocks, ref.total_blocks)
            if not view.known and new < 0.5 and ref.blocks[word] >= 2 and st.noun >= 0.5 * st.freq:
                domain.append(
                    DomainTerm(
                        word, st.freq, st.docs, ref.freq[word], ref.blocks[word], view.analysis
                    )
                )
            novelty *= new
        if novelty <= 0.0:
            continue
        feats = _score(st, word, novelty, table.first_chars[word[0]])
        if ref is not None:
            feats["reference_freq"] = float(ref.freq[word])
            feats["reference_docs"] = float(ref.blocks[word])
            feats["reference_novelty"] = new
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
    domain.sort(key=lambda d: (-d.freq, d.word))
    return MineResult(
        candidates=candidates[: config.max_candidates],
        common_words=[w for _, w in common[:500]],
        domain_terms=domain,
        typos=typos,
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
