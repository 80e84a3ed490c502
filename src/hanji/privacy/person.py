"""Korean personal names: surname + given name, confirmed by what stands around them.

A name alone is not recognisable (김치찌개 starts like 김민준), so every rule needs
evidence: a title or honorific after the name (김민준 과장님, 이서연 씨), a role word
before it (예금주 김민준, 성명: 박지호, 받는 분은 최수아입니다), an age or Hanja in
parentheses (최수아(34)), a number right after it (김민준 010-..., 이서연 (900101-...)), a
list that ends in a title (김민준, 이서연 대리), or, for the weakest rule, a particle after
a name whose syllables are typical of given names (박지현은). Stop words remove ordinary
words that look like names (한국인, 이사장, 현미경).
"""

from __future__ import annotations

import re

from hanji.privacy.person_position import (
    OUR_GIVEN_RE,
    POSITION_HOLD,
    SURNAME_TITLE_HOLD,
    given_plausible,
    kiwi_confirms,
    position_names,
)
from hanji.privacy.regex_trie import word_alternation
from hanji.privacy.romanized import ROMAN_HOLD
from hanji.privacy.types import Entity, Spans, new_entity
from hanji.privacy.wordlists import (
    COPULAS,
    DOUBLE_SURNAMES,
    EXAMPLE_MARKERS,
    GIVEN_FIRST,
    GIVEN_NAMES,
    GIVEN_SECOND,
    GIVEN_SYLLABLES,
    NOT_PERSONS,
    NOUN_STEMS,
    PARTICLES,
    PERSON_STOPWORDS,
    PLACEHOLDER_NAMES,
    ROLE_WORDS,
    ROLE_WORDS_STRONG,
    SURNAMES_COMMON,
    SURNAMES_RARE,
    TITLES,
)

__all__ = ["PERSON_HOLD", "PERSON_PATTERN", "ROLE_PATTERN", "find_persons"]

_TOP_SURNAMES = frozenset("김이박최정강조윤장임")
_RARE = frozenset(SURNAMES_RARE)
_SUR = "[" + SURNAMES_COMMON + SURNAMES_RARE + "독]"
# The second syllable of a double surname, right behind its first: a class first, so that
# the usual case (no double surname) fails on one character instead of on every branch.
_DOUBLE_SECOND = "".join(sorted({d[1] for d in DOUBLE_SURNAMES}))
_DOUBLE = f"[{_DOUBLE_SECOND}](?<={'|'.join(DOUBLE_SURNAMES)})"
# Three syllables (or a double surname and two), not preceded by a syllable.
_NAME = _SUR + r"(?<![가-힣][가-힣])(?:" + _DOUBLE + r")?[가-힣]{2}"
# Two to four syllables, for the role rule.
_NAME_ROLE = _SUR + r"(?<![가-힣][가-힣])(?:(?:" + _DOUBLE + r")[가-힣]{1,2}|[가-힣]{1,2})"


_alt = word_alternation  # longest word first, as a prefix tree (see patterns.py)


# A title is spaced off the name (씨 and 님 may be attached) and ends there: followed by
# a particle, 님, or no syllable at all ("대표적", "차장님" in "공영주차장" do not count).
_TITLE_END = r"(?=" + _alt([*PARTICLES, *COPULAS, "께", "께서", "에게"]) + r"|[^가-힣]|$)"
_MULTI_TITLES = _alt([t for t in TITLES if len(t) > 1])
# "김민준 전 장관", "이서연 현 대표": a former/current marker may stand before the title.
_TITLE = (
    r"(?:[ ]?(?:님|씨(?!름|앗|족|줄))|[ ](?:[전현前現][ ])?"
    + _MULTI_TITLES
    + _TITLE_END
    + r"|[ ](?:군|양|옹)(?![가-힣])"
    # a family after the name ("이나라 부부가", "김민준 가족이")
    + r"|[ ](?:부부|가족|남매|형제|자매|모녀|모자|부녀|부자)" + _TITLE_END
    + r")"
)  # fmt: skip
_PAREN = (
    r"\((?:[0-9]{1,3}(?:세)?|[\u4e00-\u9fff]{2,4}|[남여](?:성)?(?:[,/][ ]?[0-9]{1,3}(?:세)?)?"
    r"|[0-9]{1,3}(?:세)?[,/][ ]?[남여](?:성)?)\)"
)
_PARTICLE = _alt(PARTICLES) + r"(?![가-힣])"
_NUMBER_NEXT = r"[ ]?[:(/,|][ ]?(?:\+82|0[1-9]|[0-9]{2,6}[\-. ][0-9])|[ ](?:\+82|0[1-9])"
# No lookbehind in front: a pattern that starts with a set of literals lets the regex engine
# skip ahead to candidates; the "not inside a word" check is done on the match.
_ROLE = (
    r"(" + _alt([*ROLE_WORDS, *(w.replace("는분", "는 분") for w in ROLE_WORDS)]) + r")"
    r"([ ]{0,2}(?:[:：]|은|는|이|가|명|란)?[ ]{0,2})"
)
_ROLE_AFTER = r"(?=" + _alt([*PARTICLES, *COPULAS]) + r"?(?![가-힣]))"
_LIST_SEP = r"(?:\([^()\n]{1,12}\))?[ ]?[,·][ ]?"

_LIST_NEXT = r"(?:[ ]?[,·][ ]?" + _NAME + r"){1,5}(?:" + _TITLE + r"|[ ]등(?![가-힣]))"
# The evidence is captured inside the lookahead, in the order find_persons weighs it, so
# that the match itself says which rule holds (a bare particle captures nothing).
_EVIDENCE = (
    ("title", _TITLE), ("paren", _PAREN), ("number", _NUMBER_NEXT), ("list", _LIST_NEXT)
)  # fmt: skip
PERSON_PATTERN = (
    _NAME
    + r"(?="
    + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _EVIDENCE)
    + "|"
    + _PARTICLE
    + ")"
)
# Score of a name by its evidence (before the name-likeness adjustment).
_EVIDENCE_SCORE = {"title": 0.8, "paren": 0.85, "number": 0.65, "list": 0.7}
_NOT_ROLE = r"(?!" + _alt(list(ROLE_WORDS)) + r"(?![가-힣]))"
ROLE_PATTERN = (
    _ROLE
    + r"("
    + _NAME_ROLE
    + _ROLE_AFTER
    + r"(?:"
    + _LIST_SEP
    + _NOT_ROLE
    + _NAME
    + _ROLE_AFTER
    + r"){0,5})"
)
_PLACEHOLDERS = frozenset(PLACEHOLDER_NAMES)
# How far from a placeholder name an example marker may stand (the stream guard holds the
# characters after a placeholder for as long: PLACEHOLDER_NAME_HOLD).
_EXAMPLE_BEFORE = 40
_EXAMPLE_AFTER = 24
PLACEHOLDER_NAME_HOLD = _alt(PLACEHOLDER_NAMES) + r"[^\n]{0,24}(?s:.)?"
# The stream guard holds a name-like word while a title, particle or list could follow,
# and a romanised name while it grows.
PERSON_HOLD = (
    _NAME_ROLE + r"[가-힣]{0,3}(?:" + _LIST_SEP + _NAME_ROLE + r"[가-힣]{0,3}){0,5}(?:"
    + "|".join((_TITLE, _PAREN, _NUMBER_NEXT, r"[ ]등"))
    + r")?(?s:.)?|" + _NAME_ROLE + POSITION_HOLD + "|" + SURNAME_TITLE_HOLD + "|" + ROMAN_HOLD
    + "|" + PLACEHOLDER_NAME_HOLD
)  # fmt: skip

_PERSON_RE = re.compile(PERSON_PATTERN)
# A name-like word alone: not inside a word, followed by a particle or by no syllable. Kiwi
# decides these (person_position.kiwi_confirms) unless another rule already did.
_BARE_RE = re.compile(
    r"(?P<n>" + _NAME + r")"
    r"(?=(?:" + _alt([*PARTICLES, "한테", "이랑", "랑"]) + r")?(?![가-힣]))"
)
_CONFIRM_BELOW = 0.5
# Last syllables that make a bare word a noun and its particle (사람이, 공기가), a verb
# stem (이용하) or a place (한반도, 화성시, 연남동) rather than a name.
_NOT_LAST_BARE = frozenset("이가을를의도로에와과만은는하해고다아야시군구읍면동산강")
_ROLE_RE = re.compile(ROLE_PATTERN)
_NAME_SPLIT = re.compile(_NAME_ROLE)
_TITLE_SET = frozenset(TITLES)
_ROLE_SET = frozenset(ROLE_WORDS)
_DOUBLE_SET = frozenset(DOUBLE_SURNAMES)
_NEVER_LAST = frozenset("는을를의에께")


def _given(name: str) -> str:
    return name[2:] if name[:2] in _DOUBLE_SET and len(name) >= 3 else name[1:]


def _likeness(name: str) -> float | None:
    """Adjustment for how name-like `name` is; None when it cannot be a name."""
    if name in PERSON_STOPWORDS or name in _TITLE_SET or name in _ROLE_SET:
        return None
    given = _given(name)
    if given in _TITLE_SET or not GIVEN_SYLLABLES.issuperset(given):
        return None
    if given[-1] in _NEVER_LAST:
        return None
    known = given in GIVEN_NAMES
    if given[-1] == "한" and not known:
        return None  # 조용한, 유명한: adjectives, not names
    bonus = 0.0
    if known:
        bonus += 0.2
    elif given[-1] in "은이가" and name[:2] in NOUN_STEMS:
        return None  # 노인은, 한국이: a noun and its particle
    elif given[-1] == "은":
        bonus -= 0.15
    if name[0] in _TOP_SURNAMES:
        bonus += 0.05
    elif name[0] in _RARE and name[:2] not in _DOUBLE_SET:
        bonus -= 0.2
    return bonus


def _plausible(name: str) -> float:
    given = _given(name)
    return 0.15 if len(given) == 2 and given[0] in GIVEN_FIRST and given[1] in GIVEN_SECOND else 0.0


def find_persons(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    """Names starting at or after `start`; one entity per name, the best evidence wins."""
    if text.isascii():
        return []  # O(1): no syllable, so no name and no role word
    # (start, end) -> score; a name found by several rules keeps its best evidence.
    found: dict[tuple[int, int], float] = {}
    form_names: set[tuple[int, int]] = set()  # what a form label introduces (성명: …)
    for m in _PERSON_RE.finditer(text, start):
        span = m.span()
        if spans is not None:
            spans.append(span)
        name = m.group()
        prior = _likeness(name)
        if prior is None:
            continue
        evidence = m.lastgroup  # "list": 김민준, 이서연, 박지호 대리 (the title covers all)
        if evidence is not None:
            score = _EVIDENCE_SCORE[evidence] + prior
        elif _given(name)[-1] == "하":
            continue  # 이용하는, 조정하는: a verb stem and its ending
        else:  # only a particle: the name must carry itself
            score = 0.25 + _plausible(name) + prior
        if score > found.get(span, 0.0):
            found[span] = round(min(score, 0.99), 3)
    for m in _ROLE_RE.finditer(text, max(0, start - 16)):
        at = m.start()
        if spans is not None:
            spans.append((at, m.end()))
        if at and "가" <= text[at - 1] <= "힣":
            continue
        joint = m.group(2)
        strong = m.group(1) in ROLE_WORDS_STRONG or ":" in joint or "：" in joint
        if strong:
            form_names.add((m.start(3), m.end(3)))
        for n in _NAME_SPLIT.finditer(text, m.start(3), m.end(3)):
            name = n.group()
            prior = _likeness(name)
            if prior is None or (len(name) == 2 and not strong):
                continue
            span = n.span()
            score = (0.8 if len(name) >= 3 else 0.65) + prior / 2
            if span[0] >= start and score > found.get(span, 0.0):
                found[span] = round(min(score, 0.99), 3)
    for s, e, score in position_names(text, start, _likeness):
        if score > found.get((s, e), 0.0):
            found[(s, e)] = score
    for m in _BARE_RE.finditer(text, start):
        span = m.span("n")
        if found.get(span, 0.0) >= _CONFIRM_BELOW:
            continue
        name = m.group("n")
        given = _given(name)
        if given[-1] in _NOT_LAST_BARE or not (
            given[0] in GIVEN_FIRST and given[-1] in GIVEN_SECOND
        ):
            continue
        prior = _likeness(name)
        if prior is None:
            continue
        right = min(len(text), m.end() + 1)
        if spans is not None:
            spans.append((span[0], right))
        if kiwi_confirms(text, span[0], span[1], right):
            found[span] = round(min(0.6 + prior / 2, 0.99), 3)
    if "우리 " in text or "내 " in text or "제 " in text or "울 " in text:
        for m in OUR_GIVEN_RE.finditer(text, max(0, start - 3)):
            span = m.span("n")
            if (
                span[0] >= start
                and span not in found
                and (m.start() == 0 or not "가" <= text[m.start() - 1] <= "힣")
                and given_plausible(m.group("n"))
                and kiwi_confirms(text, span[0], span[1], min(len(text), m.end() + 1))
            ):
                found[span] = 0.6
    if not found:
        return []
    return [
        new_entity(s, e, "PERSON", score, text[s:e])
        for (s, e), score in sorted(found.items())
        if _counts(text, s, e, form_names)
    ]


def _counts(text: str, s: int, e: int, form_names: set[tuple[int, int]]) -> bool:
    """The decision rules of docs/privacy.md: a historical figure or a fictional character
    is no person unless a form field names them; a placeholder (홍길동) is none where the
    text marks an example next to it."""
    name = text[s:e]
    if name in NOT_PERSONS:
        return any(a <= s and e <= b for a, b in form_names)
    if name in _PLACEHOLDERS:
        lo = max(text.rfind("\n", 0, s) + 1, s - _EXAMPLE_BEFORE)
        hi = text.find("\n", e, e + _EXAMPLE_AFTER)
        window = text[lo : hi if hi >= 0 else e + _EXAMPLE_AFTER]
        return not any(marker in window for marker in EXAMPLE_MARKERS)
    return True
