"""Script statistics in one vectorised pass: how Korean is a document?

Corpus filters call this on every document, so it must cost far less than reading the
text: the code points go through a 64 Ki lookup table with numpy (one `encode` plus one
`bincount`), with no Python loop per character.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ScriptStats", "script_stats"]

# Class ids, in the order of the fields of ScriptStats.
HANGUL, JAMO, HANJA, LATIN, DIGIT, PUNCT, SPACE, OTHER = range(8)
_N_CLASSES = 8


@dataclass(frozen=True, slots=True)
class ScriptStats:
    """Character counts per script; the ratios are over all characters (0.0 for empty text)."""

    hangul: int = 0
    jamo: int = 0
    hanja: int = 0
    latin: int = 0
    digit: int = 0
    punct: int = 0
    space: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return (
            self.hangul
            + self.jamo
            + self.hanja
            + self.latin
            + self.digit
            + self.punct
            + self.space
            + self.other
        )

    def _ratio(self, n: int) -> float:
        total = self.total
        return n / total if total else 0.0

    @property
    def hangul_ratio(self) -> float:
        return self._ratio(self.hangul)

    @property
    def jamo_ratio(self) -> float:
        return self._ratio(self.jamo)

    @property
    def hanja_ratio(self) -> float:
        return self._ratio(self.hanja)

    @property
    def latin_ratio(self) -> float:
        return self._ratio(self.latin)

    @property
    def digit_ratio(self) -> float:
        return self._ratio(self.digit)

    @property
    def punct_ratio(self) -> float:
        return self._ratio(self.punct)

    @property
    def space_ratio(self) -> float:
        return self._ratio(self.space)

    @property
    def other_ratio(self) -> float:
        return self._ratio(self.other)

    @property
    def korean_ratio(self) -> float:
        """Hangul syllables and jamo over letters (not over spaces, digits or punctuation)."""
        letters = self.hangul + self.jamo + self.hanja + self.latin + self.other
        return (self.hangul + self.jamo) / letters if letters else 0.0


def _ranges(table: np.ndarray, cls: int, *spans: tuple[int, int]) -> None:
    for lo, hi in spans:
        table[lo : hi + 1] = cls


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """Class of every BMP code point (built once, 64 KiB)."""
    import unicodedata

    import numpy as np

    table = np.full(0x10000, OTHER, dtype=np.uint8)
    # Punctuation and symbols by Unicode category, then the specific scripts on top.
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] in "PS":
            table[cp] = PUNCT
        elif cat == "Zs":
            table[cp] = SPACE
    _ranges(table, SPACE, (0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0x2028, 0x2029))
    _ranges(table, DIGIT, (0x30, 0x39), (0xFF10, 0xFF19))
    _ranges(table, LATIN, (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6))
    _ranges(table, LATIN, (0xF8, 0x24F), (0x1E00, 0x1EFF), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    _ranges(table, HANGUL, (0xAC00, 0xD7A3))
    _ranges(table, JAMO, (0x1100, 0x11FF), (0x3131, 0x318E), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
    _ranges(table, JAMO, (0xFFA0, 0xFFDC))
    _ranges(table, HANJA, (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
    return table


def script_stats(text: str) -> ScriptStats:
    """Count Hangul syllables, jamo, Hanja, Latin, digits, punctuation, spaces and the rest."""
    if not text:
        return ScriptStats()
    import numpy as np

    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _table()
    if cps.max() < 0x10000:
        counts = np.bincount(table[cps], minlength=_N_CLASSES)
    else:
        astral = cps >= 0x10000
        counts = np.bincount(table[np.where(astral, 0, cps)], minlength=_N_CLASSES)
        counts[table[0]] -= int(astral.sum())
        # CJK extension B onwards (U+20000..U+3134F) is Hanja; other astral code points
        # (emoji, historic scripts) are "other".
        hanja = int(((cps >= 0x20000) & (cps <= 0x3134F)).sum())
        counts[HANJA] += hanja
        counts[OTHER] += int(astral.sum()) - hanja
    return ScriptStats(*(int(c) for c in counts[:_N_CLASSES]))
