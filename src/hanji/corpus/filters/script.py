"""Step 2: keep Korean documents (English words welcome), drop other scripts and mojibake.

Mojibake is recognised by three signatures that Korean text never shows: U+FFFD
replacement characters; UTF-8 read as Latin-1/CP1252 ("ì•ˆë…•"); and UTF-8 read as
CP949, which yields Hangul syllables outside KS X 1001's 2,350 everyday syllables
("냼吏€") — ordinary Korean uses those 2,350 almost exclusively.
"""

from __future__ import annotations

import re
from functools import lru_cache

from datatrove.data import Document

from hanji.corpus.accounting import KoreanFilter

_UTF8_AS_LATIN = re.compile(
    "[\u00ea-\u00ed][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2}"
)
_LATIN1_LETTERS = re.compile("[\u00a1-\u00b6\u00b8-\u00d6\u00d8-\u00f6\u00f8-\u00ff]+")


@lru_cache(maxsize=1)
def _rare_syllables() -> re.Pattern[str]:
    """Hangul syllables outside KS X 1001 (derived from the EUC-KR codec, no data file)."""
    rare = []
    for cp in range(0xAC00, 0xD7A4):
        try:
            # Python's EUC-KR writes syllables outside KS X 1001 as 8-byte jamo sequences
            if len(chr(cp).encode("euc_kr")) != 2:
                rare.append(cp)
        except UnicodeEncodeError:
            rare.append(cp)
    spans: list[list[int]] = []
    for cp in rare:
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    cls = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in spans)
    return re.compile(f"[{cls}]+")


def _count(pattern: re.Pattern[str], text: str) -> int:
    return len(text) - len(pattern.sub("", text))


class ScriptFilter(KoreanFilter):
    """Drop documents that are not mostly Korean, or that are mojibake.

    Args:
        min_korean_ratio: Hangul (syllables + jamo) over all letters; below it: ``not_korean``.
            Korean prose with English terms sits around 0.8-0.95; English prose near 0.
        max_replacement_ratio: U+FFFD over non-space characters; above it: ``mojibake``.
        max_latin1_ratio: Latin-1 letters (the debris of legacy decoding) over non-space.
        max_rare_syllable_ratio: syllables outside KS X 1001 over all syllables.
        report_dir: folder for the per-rank ledgers.
    """

    step = "script"

    def __init__(
        self,
        min_korean_ratio: float = 0.5,
        max_replacement_ratio: float = 0.005,
        max_latin1_ratio: float = 0.15,
        max_rare_syllable_ratio: float = 0.15,
        report_dir: str | None = None,
    ) -> None:
        super().__init__(report_dir)
        self.min_korean_ratio = min_korean_ratio
        self.max_replacement_ratio = max_replacement_ratio
        self.max_latin1_ratio = max_latin1_ratio
        self.max_rare_syllable_ratio = max_rare_syllable_ratio

    def check(self, doc: Document) -> str | None:
        from hanji.text import script_stats

        text = doc.text
        stats = script_stats(text)
        nonspace = max(stats.total - stats.space, 1)
        doc.metadata["n_hangul"] = stats.hangul
        if not text.isascii():
            if text.count("\ufffd") / nonspace > self.max_replacement_ratio:
                return "mojibake"
            if _count(_LATIN1_LETTERS, text) / nonspace > self.max_latin1_ratio:
                return "mojibake"
            if len(_UTF8_AS_LATIN.findall(text)) * 3 / nonspace > self.max_latin1_ratio:
                return "mojibake"
            if stats.hangul >= 10:
                rare = _count(_rare_syllables(), text)
                if rare / stats.hangul > self.max_rare_syllable_ratio:
                    return "mojibake"
        if stats.hangul + stats.jamo == 0 or stats.korean_ratio < self.min_korean_ratio:
            return "not_korean"
        return None
