"""Names without a title or role word: where they stand says they are names.

Real traffic names people with no cue word next to them: an e-mail closing (이수진 드림),
a chat export's speaker ([김민준] [오후 3:12], 김민준: 넵), a table cell (| 1 | 김서준 |),
a list item (- 김서준 (마케팅팀)), a signature line (김서준 | 디지털금융부), a transfer
memo (입금 김민준 50,000, 김민준 축의금), a vocative in chat (민준아), a surname with a
title (박 대리님), a name and an organisation before a title (김민준 한빛은행 노조위원장),
an answer in a call transcript (네 김민준요). Each position is a regex whose group "n" is
the name; the name must still look like one (`person._likeness`).

A name-like word with none of these, standing alone before a particle or a boundary, is
confirmed by Kiwi: it is taken when Kiwi reads exactly that span as one proper noun (NNP)
in a short window around it. Kiwi runs on those candidate windows only, never on the text.
"""

from __future__ import annotations

import re
from typing import Any

from hanji.privacy.regex_trie import word_alternation
from hanji.privacy.wordlists import (
    COPULAS,
    GIVEN_FIRST,
    GIVEN_NAMES,
    GIVEN_SECOND,
    GIVEN_SYLLABLES,
    NAME_SUFFIX_WORDS,
    PARTICLES,
    SURNAMES_COMMON,
    SURNAMES_RARE,
    TITLES,
    TRANSFER_WORDS,
    VOCATIVE_STOPWORDS,
)

__all__ = [
    "OUR_GIVEN_RE",
    "POSITION_HOLD",
    "SURNAME_TITLE_HOLD",
    "given_plausible",
    "kiwi_confirms",
    "position_names",
]

# A name: a surname syllable not inside a word, and one to three more syllables (the
# caller checks it further). Starting with a character class lets the regex engine skip.
_SURNAME_CHARS = SURNAMES_COMMON + SURNAMES_RARE + "독"
_NAME = rf"[{_SURNAME_CHARS}](?<![가-힣].)[가-힣]{{1,3}}"
_END = r"(?![가-힣])"
_TITLE_WORDS = word_alternation([t for t in TITLES if len(t) > 1])
_SURNAME_TITLES = word_alternation(
    [t for t in TITLES if len(t) > 1 and t not in ("학생", "고객", "환자", "선수", "작가")]
    + ["고객", "씨"]
)
_TRANSFER = word_alternation(TRANSFER_WORDS)
_ANSWER_WORDS = ("네", "저는", "제 이름은", "본인은", "위 사람")
_ANSWER_END = r"(?:이?고요|이?요|입니다|이에요|예요|인데요|이구요|구요|은\(는\)|이라고)"

# (pattern with a group "n", base score, kind, substrings one of which the text must
# hold for the rule to run): kind "full" names go through _likeness, "word" names too and
# may not end in a particle's syllable, "surname" is a surname alone.
_RULES: list[tuple[str, float, str, tuple[str, ...]]] = [
    # e-mail and letter closings
    (rf"(?P<n>{_NAME})[ ]?(?:드림|올림|배상){_END}", 0.85, "full", ("드림", "올림", "배상")),
    # chat export: "[김민준] [오후 3:12]" and "김민준: 넵"
    (rf"\[(?P<n>{_NAME})\]", 0.8, "full", ("[",)),
    (rf"(?:^|(?<=\n))(?P<n>{_NAME})[ ]?:[ ]", 0.75, "full", (":",)),
    # table cells and tab- or comma-separated rows
    (rf"\|[ ]?(?P<n>{_NAME})[ ]?(?=\|)", 0.75, "full", ("|",)),
    (rf"(?:^|(?<=[\t\n]))(?P<n>{_NAME})(?=\t)", 0.75, "full", ("\t",)),
    (rf"(?<=\t)(?P<n>{_NAME})(?=\t|\n|$)", 0.75, "full", ("\t",)),
    # (a row has two commas at least: "3, 김민준, 1988-04-12", "김민준, 이서연, 참가 확정")
    (
        rf"(?:^|(?<=\n)|(?<=,[ ]))(?P<n>{_NAME})(?=[ ]?,[ ][^\n,]{{0,20}},)",
        0.7,
        "full",
        (", ",),
    ),
    # list items and signature lines
    (
        rf"(?:^|(?<=\n))[ ]*[-•*▪][ ](?P<n>{_NAME})(?=[ ]?[(:]|[ ]?$|\n)",
        0.7,
        "full",
        ("- ", "• ", "* ", "▪ "),
    ),
    (rf"(?:^|(?<=\n))(?P<n>{_NAME})[ ](?:\||/)[ ]", 0.75, "full", (" | ", " / ")),
    # transfer memos and what a memo or a document is for
    (rf"(?<![가-힣]){_TRANSFER}[ ](?P<n>{_NAME}){_END}", 0.75, "word", TRANSFER_WORDS),
    (rf"→[ ]?(?P<n>{_NAME}){_END}", 0.75, "full", ("→",)),
    (
        rf"(?P<n>{_NAME})[ ]?(?:{word_alternation(NAME_SUFFIX_WORDS)}){_END}",
        0.7,
        "word",
        NAME_SUFFIX_WORDS,
    ),
    # "김민준 한빛은행 노조위원장": an organisation between the name and the title
    (
        rf"(?P<n>{_NAME})[ ][가-힣A-Za-z0-9]{{2,10}}[ ][가-힣]{{0,4}}{_TITLE_WORDS}"
        r"(?=" + word_alternation([*PARTICLES, *COPULAS]) + r"|[^가-힣]|$)",
        0.7,
        "word",
        (),
    ),
    # an answer in a call: "네 김민준요", "저는 김민준 고요", "위 사람 김민준은(는)"
    (
        r"(?:네|저는|제 이름은|본인은|위 사람)[ ,]{1,2}"
        rf"(?P<n>{_NAME})"
        rf"(?=[ ]?{_ANSWER_END}(?![가-힣]))",
        0.75,
        "full",
        _ANSWER_WORDS,
    ),
    # 박 대리님, 김 고객님, 정 씨: a surname alone before a title
    (
        rf"(?P<n>[{SURNAMES_COMMON}])(?<![가-힣][가-힣])"
        rf"(?=[ ](?:{_SURNAME_TITLES})(?:님|께서|[^가-힣]|$))",
        0.7,
        "surname",
        (),
    ),
]
# Each rule's guard as one regex: one search instead of a loop over its words.
_COMPILED = [
    (re.compile(p), score, kind, re.compile("|".join(map(re.escape, guard))) if guard else None)
    for p, score, kind, guard in _RULES
]
_LOOKBACK = 16
# 민준아, 지유야: a given name called out in chat. Found from the ending, which is rare.
_VOCATIVE_RE = re.compile(r"[아야](?=[\s,.!?~]|$)")
_VOCATIVE_BEFORE = frozenset(" \t\n,.!?~ㅋㅎ")
# In running text (not a cell or a closing), a word ending in a particle is a noun and
# its particle.
_PARTICLE_LAST = frozenset("은는이가을를의도에")
# Surname syllables that are also common words before a title: 전 (former), 현 (current),
# 제 (my), 양 (both).
_NOT_SURNAME_HERE = frozenset("전현제양")
# What the stream guard holds after a name-like word: a prefix of any right context a
# rule above reads, and the character after it. (Kiwi reads the name, its particle and
# one character, which person.PERSON_HOLD already holds.)
POSITION_HOLD = (
    r"(?:[ ]?(?:드림|올림|배상)|[ ]?:[ ]|[ ]?\||\t|[ ]?,[ ][^\n,]{0,20},|[ ]?[(:]"
    r"|[ ](?:\||/)[ ]|[ ]?" + word_alternation(NAME_SUFFIX_WORDS)
    + rf"|[ ][가-힣A-Za-z0-9]{{2,10}}[ ][가-힣]{{0,4}}{_TITLE_WORDS}"
    + r"(?:" + word_alternation([*PARTICLES, *COPULAS]) + r")?"
    + r"|[ ]?" + _ANSWER_END + r")(?s:.)?"
)  # fmt: skip
# ... and a surname alone while a title may follow it (박 대리님).
SURNAME_TITLE_HOLD = rf"[{SURNAMES_COMMON}](?<![가-힣].)[ ](?:{_SURNAME_TITLES})(?:님|께서)?(?s:.)?"


# "우리 해솔 생일", "내 민준이랑": a given name after a possessive, which Kiwi confirms.
OUR_GIVEN_RE = re.compile(
    r"(?:우리|울|내|제)[ ](?P<n>[가-힣]{2})"
    r"(?=[ ]|(?:이랑|랑|이가|가|이는|는|한테|이한테)(?![가-힣]))"
)


def given_plausible(given: str) -> bool:
    """Whether a two-syllable word is typical of given names and no common word."""
    return given not in VOCATIVE_STOPWORDS and given[0] in GIVEN_FIRST and given[1] in GIVEN_SECOND


def _batchim(syllable: str) -> bool:
    return (ord(syllable) - 0xAC00) % 28 != 0


def _given_ok(given: str, vocative: str) -> float | None:
    """Score of a given name called out (민준아); None when it is a word."""
    if given in VOCATIVE_STOPWORDS or not GIVEN_SYLLABLES.issuperset(given):
        return None
    if (vocative == "아") != _batchim(given[-1]):
        return None  # 아 follows a final consonant, 야 a vowel
    if given in GIVEN_NAMES:
        return 0.8
    if given[0] in GIVEN_FIRST or given[1] in GIVEN_SECOND:
        return 0.7
    return None


def position_names(text: str, start: int, likeness: Any) -> list[tuple[int, int, float]]:
    """(start, end, score) of names found by their position; `likeness` is person._likeness."""
    out: list[tuple[int, int, float]] = []
    for regex, base, kind, guard in _COMPILED:
        if guard is not None and guard.search(text) is None:
            continue
        # A rule reads up to _LOOKBACK characters before the name (입금, 제 이름은, "| "):
        # the scan starts that far back so that a name right after `start` is still seen.
        for m in regex.finditer(text, max(0, start - _LOOKBACK)):
            s, e = m.span("n")
            if s < start:
                continue
            name = m.group("n")
            if kind == "word" and name[-1] in _PARTICLE_LAST:
                continue  # 한도가, 당직은: a noun and its particle where a name would stand
            if kind != "surname":
                prior = likeness(name)
                if prior is None or len(name) < 3:
                    continue
                score = base + prior / 2
            else:
                if name in _NOT_SURNAME_HERE:
                    continue
                score = base - (0.1 if name == "이" else 0.0)  # 이 is also "this"
            out.append((s, e, round(min(score, 0.99), 3)))
    for m in _VOCATIVE_RE.finditer(text, start):
        e = m.start()
        s = e - 2
        if s < start or (s > 0 and text[s - 1] not in _VOCATIVE_BEFORE):
            continue
        given = text[s:e]
        if not ("가" <= given[0] <= "힣" and "가" <= given[1] <= "힣"):
            continue
        score = _given_ok(given, m.group())
        if score is not None:
            out.append((s, e, score))
    return out


def _kiwi() -> Any:
    from hanji.text.sentences import get_kiwi  # the process-wide instance, built once

    return get_kiwi()


# How much text before a candidate Kiwi reads: the words next to it, well inside the 80
# characters the stream guard keeps.
_KIWI_LEFT = 12


def kiwi_confirms(text: str, s: int, e: int, right: int) -> bool:
    """Whether Kiwi reads text[s:e] as one proper noun in a window that ends at `right`
    (the name's particle and one more character) and starts a few words before it."""
    lo, hi = _window(text, s, e, right)
    return _nnp_at(text[lo:hi], s - lo, e - s)


def _window(text: str, s: int, e: int, right: int) -> tuple[int, int]:
    lo = max(0, s - _KIWI_LEFT)
    nl = text.rfind("\n", lo, s)
    if nl >= 0:
        lo = nl + 1
    hi = min(len(text), right)
    nl = text.find("\n", e, hi)
    if nl >= 0:
        hi = nl
    return lo, hi


def _nnp_at(window: str, at: int, length: int) -> bool:
    for token in _kiwi().tokenize(window):
        if token.start == at:
            return token.tag == "NNP" and token.len == length
        if token.start > at:
            return False
    return False
