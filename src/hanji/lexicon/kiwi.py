"""The one Kiwi of this process, Kiwi's view of a word, and loading mined words into Kiwi.

kiwipiepy is imported inside functions so that `hanji --help` stays fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# Analysis costs (negative log-probabilities) of dictionary words grow slowly with length;
# abbreviations Kiwi has never seen cost far more. These two numbers set the expected cost
# of an ordinary word of n syllables (BASE + PER_SYLLABLE * n); measured on Kiwi 0.24 with
# everyday nouns and compounds (동네 -16, 키오스크 -20, 새벽배송 -22) versus planted
# abbreviations (갓생 -25, 월급루팡 -40, 알잘딱깔센 -49).
_COST_BASE = 16.0
_COST_PER_SYLLABLE = 2.0
_COST_SCALE = 3.0

# Morphemes that may trail a dictionary word without making it a new word.
_TRAILING_FUNCTION = ("J", "E", "Z", "VCP", "XSN", "XSV", "XSA")


@lru_cache(maxsize=1)
def get_kiwi() -> Any:
    """The process-wide Kiwi used for mining, built on first use (about a second)."""
    from kiwipiepy import Kiwi

    return Kiwi()


@dataclass(frozen=True)
class KiwiView:
    """How Kiwi's dictionary and language model see a word on its own.

    Args:
        known: after dropping trailing particles, endings and suffixes, one dictionary
            morpheme is left: 학교, 팀장님 (팀장+님), 먹었 (먹+었), 누군 (누구+ㄴ).
        oov: Kiwi needed an out-of-vocabulary token for it.
        cost: negative log-probability of the best analysis.
        analysis: the best analysis as `form/TAG` pieces, for reports.
        length: the word's length in characters.
        noun: Kiwi reads the word as exactly one dictionary noun (a fit distractor).
    """

    known: bool
    oov: bool
    cost: float
    analysis: str
    length: int
    noun: bool = False

    @property
    def novelty(self) -> float:
        """0 for dictionary words and their inflections, near 1 for words Kiwi finds improbable.

        Out-of-vocabulary alone is no proof: Kiwi marks loanwords and names OOV too, and
        their costs stay near those of ordinary words of the same length.
        """
        if self.known:
            return 0.0
        z = (self.cost - (_COST_BASE + _COST_PER_SYLLABLE * self.length)) / _COST_SCALE
        lm = 1.0 / (1.0 + math.exp(-z))
        return lm


@lru_cache(maxsize=200_000)
def kiwi_view(word: str) -> KiwiView:
    """Analyse `word` alone with the mining Kiwi (cached: candidates repeat across calls)."""
    tokens, score = get_kiwi().analyze(word, top_n=1)[0]
    pieces = " ".join(f"{t.form}/{t.tag}" for t in tokens)
    oov = any(getattr(t, "oov", False) for t in tokens)
    content = list(tokens)
    while content and content[-1].tag.startswith(_TRAILING_FUNCTION):
        content.pop()
    known = not oov and len(content) == 1
    noun = known and len(tokens) == 1 and tokens[0].tag in ("NNG", "NNP")
    return KiwiView(known=known, oov=oov, cost=-score, analysis=pieces, length=len(word), noun=noun)


def add_user_words(kiwi: Any, words: dict[str, float] | list[str], tag: str = "NNP") -> int:
    """Add words to `kiwi` as user morphemes; returns how many were new to it."""
    items = words.items() if isinstance(words, dict) else ((w, 0.0) for w in words)
    added = 0
    for word, score in items:
        if word and kiwi.add_user_word(word, tag, float(score)):
            added += 1
    return added


def load_user_words(kiwi: Any, path: str | Path) -> int:
    """Load accepted words into `kiwi` from a mine output dir or its `kiwi_user_words.tsv`.

    Pass your own Kiwi (`Kiwi()`), not the mining one, so that later mining still sees
    Kiwi's pristine dictionary. Returns how many words were newly added.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "kiwi_user_words.tsv"
    if not path.is_file():
        raise FileNotFoundError(f"사용자 사전이 없습니다 / user-word file not found: {path}")
    words: dict[str, float] = {}
    tags: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip():
            continue
        word = parts[0].strip()
        tags[word] = parts[1].strip() or "NNP"
        words[word] = float(parts[2]) if len(parts) > 2 and parts[2].strip() else 0.0
    added = 0
    for word, score in words.items():
        if kiwi.add_user_word(word, tags[word], score):
            added += 1
    return added
