"""Text normalisation that every stage can apply blindly: NFC, jamo, invisibles, whitespace.

Korean text arrives decomposed (macOS file names, some PDFs), studded with zero-width
characters (copy-paste from the web, deliberate filter evasion) and with every kind of
space and line ending. `normalize` folds all of that into one canonical form, and is
idempotent so that running it twice (corpus, then gateway) changes nothing.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

# Invisible or control characters that carry no text. ZWJ (U+200D) and ZWNJ (U+200C) stay:
# emoji sequences and some scripts need them. Hangul fillers are blank glyphs used to fake
# empty names or to split words past a filter.
_DROP = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160\u180e"
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]"
)
# Line separators of every origin become "\n".
_NEWLINES = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Spaces other than the ASCII space and the tab.
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_MULTI_SPACE = re.compile(" {2,}")
_TRAILING = re.compile("[ \t]+(?=\n|$)")
_MANY_NEWLINES = re.compile("\n{3,}")
# Conjoining jamo that NFC could not fold into a syllable (an initial with no vowel, ...).
_CONJOINING = re.compile("[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]")

# Modern conjoining jamo -> compatibility jamo, so a stray "ᄀ" looks like the "ㄱ" people type.
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
_JAMO_TABLE: dict[int, str] = {
    **{0x1100 + i: c for i, c in enumerate(_CHO)},
    **{0x1161 + i: c for i, c in enumerate(_JUNG)},
    **{0x11A8 + i: c for i, c in enumerate(_JONG)},
}
_FULLWIDTH_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def normalize(text: str, *, fullwidth: bool = False) -> str:
    """Return the canonical form of `text`; `normalize(normalize(t)) == normalize(t)`.

    Steps: drop invisibles and controls (newlines and tabs stay), unify line endings and
    spaces, NFC (which also composes conjoining jamo sequences into syllables), map jamo
    that could not be composed to compatibility jamo, collapse runs of spaces, strip
    trailing spaces per line and keep at most one blank line. With `fullwidth=True`,
    full-width ASCII (ＡＢＣ１２３！) becomes plain ASCII.
    """
    if not text:
        return text
    text = _NEWLINES.sub("\n", text)
    text = _DROP.sub("", text)
    text = _SPACES.sub(" ", text)
    if fullwidth:
        text = text.translate(_FULLWIDTH_TABLE)
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _CONJOINING.search(text):
            text = text.translate(_JAMO_TABLE)
            if not unicodedata.is_normalized("NFC", text):
                text = unicodedata.normalize("NFC", text)
    text = _MULTI_SPACE.sub(" ", text)
    text = _TRAILING.sub("", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip("\n")
