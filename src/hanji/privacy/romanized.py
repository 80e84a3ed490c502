"""Korean names in Latin letters: "Park Ji-hoon", "Kim Minjun", "Ji-hoon Park", "LEE SEOYEON".

A romanised surname (Revised Romanization and the spellings Koreans use in passports and
e-mail signatures: Park/Pak/Bak, Lee/Yi/Rhee, Kim/Gim, Choi/Choe …) next to a given name
of two syllables that Korean romanisation can spell: hyphenated (Ji-hoon), joined (Jihoon)
or, surname first, spaced (Ji Hoon). The given name is checked syllable by syllable, so
"Park Avenue" or "Lee Jones" do not pass; a joined given name without a hyphen scores
lower than a hyphenated one, which only Korean names carry.
"""

from __future__ import annotations

import re

from hanji.privacy.regex_trie import word_alternation
from hanji.privacy.types import Entity, Spans, new_entity

__all__ = ["ROMAN_HOLD", "ROMAN_PATTERN", "find_romanized"]

_SURNAMES = """
Kim Gim Lee Yi Rhee Rhie Park Pak Bak Bahk Choi Choe Jung Jeong Chung Cheong Kang Gang Cho Jo
Yoon Yun Jang Chang Lim Im Rim Han Oh Seo Suh Shin Sin Kwon Gwon Hwang Ahn An Song Jeon Jun
Chun Hong Yoo Yu Ryu Ko Go Moon Mun Yang Son Sohn Bae Baek Paik Heo Huh Nam Shim Sim Noh Roh
Ha Kwak Gwak Sung Seong Cha Joo Ju Woo Koo Gu Min Jin Na Ji Um Eom Chae Won Bang Kong Gong
Hyun Hyeon Ham Byun Byeon Yeom Yeo Choo Chu Do Seok Seol Ma Gil Yeon Pyo Myung Ban Ra Wang
Geum Ok Yook Maeng Tak Kook Eun Namgung Hwangbo Jegal Sunwoo Seonu Dokgo
""".split()
# One syllable of a romanised given name: onset, vowel (with its glide), final.
_ONSET = r"(?:kk|tt|pp|ss|jj|ch|sh|g|k|n|d|t|r|l|m|b|p|s|j|h|c)?"
_VOWEL = r"(?:[wy]?(?:ae|eo|eu|oo|ee|ou|ui|oe|a|e|o|u|i))"
_FINAL = r"(?:ng|n|m|l|k|p|t|g|b)?"
_SYLLABLE = _ONSET + _VOWEL + _FINAL
# Joined, the second syllable starts with a consonant or a glide (Minjun, Jiwoo, Seoyeon):
# a bare vowel there would be read as the first syllable's final (Book = Bo + ok).
_SECOND = _ONSET.replace(")?", "|[wy])") + r"[wy]?(?:ae|eo|eu|oo|ee|ou|ui|oe|a|e|o|u|i)" + _FINAL
_TWO = re.compile(f"(?:{_SYLLABLE})(?:{_SECOND})", re.IGNORECASE)
_ONE = re.compile(_SYLLABLE, re.IGNORECASE)
# English words that fit two syllables end in a consonant and a lone "e" (Home, Make,
# Note); Korean given names written joined do not (Jae, Hye, Minje are rare exceptions).
_SILENT_E = re.compile(r"[^aeiouwy]e$", re.IGNORECASE)

_SUR = word_alternation([*_SURNAMES, *(s.upper() for s in _SURNAMES)])
_GIVEN = r"[A-Z][a-z]{1,6}(?:-[A-Za-z][a-z]{1,6})?|[A-Z]{2,7}(?:-[A-Z]{2,7})?"
# surname first ("Park Ji-hoon", "PARK JIHOON", "Park Ji Hoon") or given name first.
ROMAN_PATTERN = (
    rf"(?<![A-Za-z])(?:(?P<sur>{_SUR})[ ](?P<given>{_GIVEN})(?:[ ](?P<third>[A-Z][a-z]{{1,6}}))?"
    rf"|(?P<given2>[A-Z][a-z]{{1,6}}-[a-z]{{2,7}}|[A-Z][a-z]{{3,9}})[ ](?P<sur2>{_SUR}))"
    r"(?![A-Za-z\-])"
)
# The stream guard holds up to three capitalised words while they could become a name.
ROMAN_HOLD = r"[A-Z](?<![A-Za-z].)[A-Za-z\-]{0,11}(?:[ ][A-Za-z][A-Za-z\-]{0,11}){0,2}(?s:.)?"

_ROMAN_RE = re.compile(ROMAN_PATTERN)
# Two capitalised words: where a name may start. A leading character class lets the regex
# engine skip ahead; the full pattern is tried only there.
_START_RE = re.compile(r"[A-Z][A-Za-z\-]{0,11}[ ][A-Z]")
_PLACEHOLDERS = frozenset({"honggildong", "gildonghong"})


def _given_score(given: str) -> float:
    """How surely `given` spells a two-syllable Korean given name (0: it does not)."""
    if "-" in given:
        first, second = given.split("-")
        return 0.8 if _ONE.fullmatch(first) and _ONE.fullmatch(second) else 0.0
    if not _TWO.fullmatch(given) or _SILENT_E.search(given):
        return 0.0
    return 0.6


def find_romanized(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    """Romanised Korean names starting at or after `start`."""
    out: list[Entity] = []
    at = start
    while True:
        c = _START_RE.search(text, at)
        if c is None:
            break
        at = c.start() + 1
        m = _ROMAN_RE.match(text, c.start())
        if m is None:
            continue
        at = m.end()
        if spans is not None:
            spans.append(m.span())
        third = m.group("third")
        if m.group("sur") is not None:
            given = m.group("given")
            if third is not None:  # "Park Ji Hoon": two one-syllable words
                score = 0.7 if _ONE.fullmatch(given) and _ONE.fullmatch(third) else 0.0
                end = m.end()
                if not score:
                    score, end = _given_score(given), m.end("given")
            else:
                score, end = _given_score(given), m.end()
        else:
            score, end = _given_score(m.group("given2")), m.end()
        if score and "".join(m.group().split()).replace("-", "").lower() in _PLACEHOLDERS:
            score = 0.0  # 홍길동, the form-filling example
        if score:
            s = m.start()
            out.append(new_entity(s, end, "PERSON", score, text[s:end]))
    return out
