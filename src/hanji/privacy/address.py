"""Road-name and lot-number addresses (도로명·지번 주소).

An address is a region (시/도 and/or 시/군/구), optionally 읍/면 and 동/리, then either a
road name with a building number (테헤란로 123, 중앙로12번길 5) or a 동/리/가 with a lot
number (역삼동 123-45, 양근리 456번지), then optional details (, 101동 1203호 / 3층 /
(역삼동)). The scan starts from anchors (로/길/동/리/가 + digits), which are rare in
prose, and only then tries the full pattern at region words in front of each anchor.
"""

from __future__ import annotations

import re

from hanji.privacy.regex_trie import word_alternation
from hanji.privacy.types import Entity, Spans, new_entity
from hanji.privacy.wordlists import SIDO, SIGUNGU

__all__ = ["ADDRESS_HOLD", "ADDRESS_PATTERN", "PARTIAL_PATTERN", "find_addresses"]

_SIDO = word_alternation(SIDO)
_SGG_KNOWN = word_alternation(SIGUNGU)
_SGG_ANY = r"[가-힣]{1,5}(?:시|군|구)"
_EMD = r"[가-힣]{1,4}[0-9]{0,2}(?:읍|면)"
_DONGRI = r"[가-힣]{1,6}[0-9]{0,2}(?:동|리|가)"
_ROAD = r"[가-힣A-Za-z0-9]{0,10}[가-힣](?:대로|로|길)(?:[ ]?[0-9]{1,4}(?:번)?[가-하]?길)?"
# A building number is not followed by a digit or by a syllable that would make it a
# count or an ordinal ("3가", "10차선"); particles and the copula may follow it.
_AFTER_NUMBER = r"(?![0-9]|-[0-9]|[가-힣](?<![에으이입은는의와과까도로였를을라란만번]))"
_BNUM = r"[0-9]{1,4}(?:-[0-9]{1,4})?" + _AFTER_NUMBER
_LOT = r"(?:산[ ]?)?[0-9]{1,5}(?:-[0-9]{1,5})?(?:번지)?" + _AFTER_NUMBER
# A unit: 동 and/or 호, or a floor (and 호).
_UNIT = (
    r"(?:[0-9]{1,4}동(?![가-힣])(?:[ ]?[0-9]{1,5}호)?|[0-9]{1,5}호"
    r"|(?:지하[ ]?)?[0-9]{1,3}층(?:[ ]?[0-9]{1,5}호)?)"
)
# A building's name is taken only with a unit after it ("센텀파크 102동 3303호", "한빛빌딩
# 3층"), or when it ends like a building's name ("래미안아파트").
_BUILDING_WORD = r"[가-힣A-Za-z][가-힣A-Za-z0-9]{0,14}"
_BUILDING_SUFFIX = r"(?:아파트|빌딩|타워|오피스텔|빌라|맨션|상가|주택|연립|하이츠|캐슬|센터)"
# A building's name ends the address: a particle may follow it, no other syllable.
_NAME_END = r"(?![가-힣](?<![에의은는이가을를로와과도]))"
_DETAIL = (
    r"(?:,?[ ](?:"
    + _BUILDING_WORD
    + r"[ ])?"
    + _UNIT
    + r"|[ ][가-힣A-Za-z0-9]{0,12}[가-힣]"
    + _BUILDING_SUFFIX
    + _NAME_END
    + r")?"
    r"(?:[ ]?\([가-힣0-9]{1,10}(?:동|리|가)(?:,[ ]?[가-힣A-Za-z0-9]{1,20})?\))?"
)
_REGION = rf"(?:{_SIDO}[ ](?:{_SGG_ANY}[ ]){{0,2}}|{_SGG_KNOWN}[ ](?:{_SGG_ANY}[ ])?)(?:{_EMD}[ ])?"
ADDRESS_PATTERN = (
    rf"(?<![가-힣]){_REGION}(?:(?:{_DONGRI}[ ])?{_ROAD}[ ]?{_BNUM}|{_DONGRI}[ ]?{_LOT}){_DETAIL}"
)
# A partial lot address, a 동/리 without its region ("역삼동 824-11 근처", "우동 1408
# 센텀파크 102동 3303호"): the lot must carry a sub-number or a unit must follow it.
_DONGRI_WORD = r"[가-힣]{1,4}[0-9]{0,2}(?:동|리)"
PARTIAL_PATTERN = (
    rf"(?<![가-힣]){_DONGRI_WORD}[ ](?:산[ ]?)?(?:[0-9]{{1,4}}-[0-9]{{1,4}}(?:번지)?{_AFTER_NUMBER}"
    rf"{_DETAIL}|[0-9]{{1,4}}(?:번지)?{_AFTER_NUMBER},?[ ](?:{_BUILDING_WORD}[ ])?{_UNIT})"
)
# Nouns ending in 동/리 that are no place ("활동 2024-01", "처리 12-3").
_NOT_PLACES = frozenset(
    """
    활동 행동 운동 이동 자동 공동 노동 변동 작동 가동 감동 충동 연동 출동 협동 소동 발동 아동
    합동 난동 폭동 파동 진동 율동 선동 유동 기동 거동 구동 연동 전동 수동 능동 제동 부동
    거리 관리 처리 정리 요리 도리 우리 소리 자리 머리 다리 무리 논리 원리 경리 수리 심리 의리
    진리 유리 권리 총리 조리 승리 편리 이리 저리 그리 보리 꼬리 마리 고리 한동 일동
    """.split()
)
# The guard holds a region word (or a 동/리 word) and what follows while it could become
# an address.
ADDRESS_HOLD = f"(?:{ADDRESS_PATTERN}|{PARTIAL_PATTERN})" + r"(?s:.){0,2}"

_ANCHOR_RE = re.compile(r"[로길동리가지][ ]?[0-9]")
# Where a region word followed by a space starts. One prefix tree of both lists, and no
# lookbehind in front, lets the regex engine skip to the words' first syllables; "not inside
# a word" is checked on the match. At most one word of either list fits before a space, so
# the tree finds the same matches as "(?:sido|sigungu)", and a match rejected there covers
# only positions right behind a syllable, which could not start a region either.
_REGION_START_RE = re.compile(word_alternation([*SIDO, *SIGUNGU]) + "[ ]")
_ADDRESS_RE = re.compile(ADDRESS_PATTERN)
_PARTIAL_RE = re.compile(PARTIAL_PATTERN)
_WORD_BACK = 7  # the longest 동/리 word before its anchor
_SIDO_WORDS = tuple(SIDO)
_LOOKBACK = 64  # the longest region + road prefix before an anchor


def find_addresses(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    if text.isascii():
        return []  # O(1): every anchor is a syllable
    out: list[Entity] = []
    covered = start
    for a in _ANCHOR_RE.finditer(text, start):
        if a.start() < covered:
            continue
        lo = max(start, a.start() - _LOOKBACK)
        for r in _REGION_START_RE.finditer(text, lo, a.start()):
            at = r.start()
            if at < covered or (at and "가" <= text[at - 1] <= "힣"):
                continue
            m = _ADDRESS_RE.match(text, at)
            if m is not None and m.end() > a.start():
                score = 0.9 if text.startswith(_SIDO_WORDS, at) else 0.8
                out.append(new_entity(m.start(), m.end(), "ADDRESS", score, m.group()))
                if spans is not None:
                    spans.append((m.start(), m.end()))
                covered = m.end()
                break
        else:
            if a.group()[0] not in "동리":
                continue
            lo = max(start, a.start() - _WORD_BACK)
            at = a.start()
            while at > lo and ("가" <= text[at - 1] <= "힣" or text[at - 1].isdigit()):
                at -= 1
            if at < covered or text[at : a.start() + 1] in _NOT_PLACES:
                continue
            m = _PARTIAL_RE.match(text, at)
            if m is not None:
                out.append(new_entity(m.start(), m.end(), "ADDRESS", 0.7, m.group()))
                if spans is not None:
                    spans.append((m.start(), m.end()))
                covered = m.end()
    return out
