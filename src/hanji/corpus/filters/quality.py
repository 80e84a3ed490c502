"""Step 3b: Korean quality filter on character statistics (Gopher/FineWeb ideas, Korean units).

Words are eojeol (whitespace tokens): Korean attaches particles to words, so an eojeol is
the unit a reader sees and the only one available without morphological analysis. The
repetition thresholds start from FineWeb-2's ``kor_Hang`` values and were tuned on the
labelled fixtures in ``tests/data/corpus`` (good documents of all five domains, junk).
Settings that assume English — stop words, words ending in a period, 30-character short
lines — are replaced by Korean ones: sentence endings in 다/요/죠..., character counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import numpy as np
from datatrove.data import Document

from hanji.corpus.accounting import KoreanFilter

# A sentence ends with terminal punctuation before a space/quote/line end, or a line ends
# with a final-ending syllable (poetry and headlines often carry no period).
_TERMINAL = re.compile(r"[.!?。…](?=[\s\"'”’」』)\]]|$)")
_LINE_END_SYLLABLES = frozenset("다요죠까네지오라자군나어아야해음함됨임듯걸게래대며고서")
_DIGIT = re.compile(r"\d+")
_NGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1)
def symbol_pattern() -> re.Pattern[str]:
    """Decorative symbols: Unicode "So" (★♥▶■☎...), emoji and ASCII spam marks (#@$^|_).

    Symbols that Korean prose uses for meaning stay out: math (× − ÷ are "Sm"), units
    (㎡ ℃ in U+2100-214F, U+3380-33FF) and enclosed Hangul (㉠ ㉡ in U+3200-32FF).
    """
    keep = ((0x2100, 0x214F), (0x3200, 0x32FF), (0x3380, 0x33FF))
    chars = [
        chr(cp)
        for cp in range(0x80, 0x10000)
        if unicodedata.category(chr(cp)) == "So" and not any(a <= cp <= b for a, b in keep)
    ]
    cls = "".join(re.escape(c) for c in chars)
    return re.compile(f"[{cls}#@$^|_\U0001f000-\U0001faff]+")


def _count(pattern: re.Pattern[str], text: str) -> int:
    return len(text) - len(pattern.sub("", text))


def _ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    h = ids[: len(ids) - n + 1].copy()
    for k in range(1, n):
        h = h * _NGRAM_MUL + ids[k : len(ids) - n + 1 + k]
    return h


def ngram_stats(
    tokens: list[str], top_ns: tuple[int, ...], dup_ns: tuple[int, ...]
) -> tuple[dict[int, float], dict[int, float]]:
    """Character share of the most frequent n-gram (top_ns) and of repeated n-grams (dup_ns).

    Shares are over the characters of all tokens, like Gopher's repetition filter; a repeated
    n-gram's characters are counted once however many repeats overlap them.
    """
    top: dict[int, float] = {}
    dup: dict[int, float] = {}
    if len(tokens) < 2:
        return top, dup
    with np.errstate(over="ignore"):
        ids = np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens)).view(np.uint64)
        lens = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        total = int(lens.sum())
        cum = np.concatenate(([0], np.cumsum(lens)))
        for n in sorted(set(top_ns) | set(dup_ns)):
            if len(tokens) < n:
                continue
            h = _ngram_hashes(ids, n)
            uniq, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
            if len(uniq) == len(h):
                break  # no n-gram repeats, so no longer one can: every later share is 0
            if n in top_ns:
                best = int(np.argmax(counts))
                if counts[best] > 1:
                    first = int(np.argmax(inverse == best))
                    chars = int(cum[first + n] - cum[first])
                    top[n] = chars * int(counts[best]) / total
            if n in dup_ns:
                starts = np.flatnonzero(counts[inverse] > 1)
                if len(starts) == 0:
                    continue
                cover = np.zeros(len(tokens) + 1, dtype=np.int32)
                np.add.at(cover, starts, 1)
                np.add.at(cover, starts + n, -1)
                covered = np.cumsum(cover[:-1]) > 0
                dup[n] = int(lens[covered].sum()) / total
    return top, dup


class KoreanQualityFilter(KoreanFilter):
    """Drop Korean documents that are too short, repetitive, list-like or full of symbols.

    Args:
        min_chars: non-space characters; below: ``too_short``.
        min_tokens: eojeol; below: ``too_short``.
        max_avg_token_chars: mean eojeol length; above: ``long_tokens`` (spaceless spam, URLs).
        min_avg_token_chars: below: ``short_tokens`` (letters spaced out to dodge filters).
        max_dup_line_frac: share of lines repeating an earlier line (FineWeb-2 kor: 0.374).
        max_dup_line_char_frac: share of characters in such lines (Gopher: 0.2).
        max_top_ngram: (n, share) — most frequent eojeol n-gram (FineWeb-2 kor: .282/.228/.185).
        max_dup_ngram: (n, share) — repeated eojeol n-grams (FineWeb-2 kor: .201 ... .127).
        min_ngram_tokens: shorter documents skip the n-gram checks (too few to judge).
        min_endings_per_100: sentence endings per 100 non-space characters; below: ``no_sentences``.
        max_digit_ratio: digits over non-space characters; above: ``digits`` (number tables).
        max_symbol_ratio: symbols/emoji over non-space characters; above: ``symbols``.
        max_ellipsis_line_frac: lines ending in "…"/"..."; above: ``ellipsis_lines``.
        report_dir: folder for the per-rank ledgers.
    """

    step = "quality"

    def __init__(
        self,
        min_chars: int = 40,
        min_tokens: int = 8,
        max_avg_token_chars: float = 12.0,
        min_avg_token_chars: float = 1.6,
        max_dup_line_frac: float = 0.3,
        max_dup_line_char_frac: float = 0.2,
        max_top_ngram: tuple[tuple[int, float], ...] = ((2, 0.25), (3, 0.2), (4, 0.18)),
        max_dup_ngram: tuple[tuple[int, float], ...] = ((5, 0.2), (7, 0.168), (10, 0.127)),
        min_ngram_tokens: int = 30,
        min_endings_per_100: float = 0.5,
        max_digit_ratio: float = 0.25,
        max_symbol_ratio: float = 0.05,
        max_ellipsis_line_frac: float = 0.3,
        report_dir: str | None = None,
    ) -> None:
        super().__init__(report_dir)
        self.min_chars = min_chars
        self.min_tokens = min_tokens
        self.max_avg_token_chars = max_avg_token_chars
        self.min_avg_token_chars = min_avg_token_chars
        self.max_dup_line_frac = max_dup_line_frac
        self.max_dup_line_char_frac = max_dup_line_char_frac
        self.max_top_ngram = dict(max_top_ngram)
        self.max_dup_ngram = dict(max_dup_ngram)
        self.min_ngram_tokens = min_ngram_tokens
        self.min_endings_per_100 = min_endings_per_100
        self.max_digit_ratio = max_digit_ratio
        self.max_symbol_ratio = max_symbol_ratio
        self.max_ellipsis_line_frac = max_ellipsis_line_frac

    def check(self, doc: Document) -> str | None:
        text = doc.text
        tokens = text.split()
        nonspace = sum(map(len, tokens))
        if nonspace < self.min_chars:
            return "too_short"
        avg = nonspace / len(tokens)
        if avg > self.max_avg_token_chars:
            return "long_tokens"
        if avg < self.min_avg_token_chars:
            return "short_tokens"
        if len(tokens) < self.min_tokens:
            return "too_short"

        if _count(_DIGIT, text) / nonspace > self.max_digit_ratio:
            return "digits"
        if _count(symbol_pattern(), text) / nonspace > self.max_symbol_ratio:
            return "symbols"

        lines = [s for s in (line.strip() for line in text.split("\n")) if s]
        if len(lines) > 1:
            seen = Counter(lines)
            dup_lines = sum(c - 1 for c in seen.values())
            dup_chars = sum(len(s) * (c - 1) for s, c in seen.items())
            if dup_lines / len(lines) > self.max_dup_line_frac:
                return "dup_lines"
            if dup_chars / max(nonspace, 1) > self.max_dup_line_char_frac:
                return "dup_lines"
            ellipsis = sum(s.endswith(("…", "...")) for s in lines)
            if ellipsis / len(lines) > self.max_ellipsis_line_frac:
                return "ellipsis_lines"

        endings = len(_TERMINAL.findall(text))
        endings += sum(1 for s in lines if s[-1] in _LINE_END_SYLLABLES)
        if endings * 100 / nonspace < self.min_endings_per_100:
            return "no_sentences"

        if len(tokens) < self.min_ngram_tokens:
            return None
        top, dup = ngram_stats(tokens, tuple(self.max_top_ngram), tuple(self.max_dup_ngram))
        for n, limit in self.max_top_ngram.items():
            if top.get(n, 0.0) > limit:
                return "top_ngram"
        for n, limit in self.max_dup_ngram.items():
            if dup.get(n, 0.0) > limit:
                return "dup_ngram"
        return None
