"""Numeric identifiers: one scan for digit groups, then a classifier per group shape.

A single regex finds every run of digit groups ("900101-1234568", "010 1234 5678",
"+82 10-1234-5678", "(02) 123-4567", "192.168.0.1"); the classifier reads the group
lengths, separators, validators and the nearest context word, and names the type. Runs
that fit no type as a whole are retried piecewise at their spaces ("2024-01-15
010-1234-5678"). Text without a digit costs one failed scan.
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import itemgetter

from hanji.privacy.context import NEGATIVE, nearest_keyword
from hanji.privacy.types import Entity, Spans, new_entity
from hanji.privacy.validators import (
    brn_checksum_ok,
    crn_checksum_ok,
    ean13_ok,
    frn_checksum_ok,
    luhn_ok,
    resident_birth_ok,
    rrn_checksum_ok,
)

__all__ = [
    "LICENCE_HOLD",
    "NUMBER_HOLD",
    "NUMBER_PATTERN",
    "SPOKEN_PATTERN",
    "find_numbers",
    "find_spoken_numbers",
]

# A run of up to eight digit groups joined by one "-", "." or " ", optionally behind
# "+82" or an area code in parentheses. The first character is a plain class so that the
# regex engine can skip to candidates quickly; the boundaries are checked behind it.
NUMBER_PATTERN = (
    r"[0-9+(](?<![0-9A-Za-z_].)(?<![0-9][.\-][0-9+(])"
    r"(?:(?<=\+)82[ \-]?(?:\(0\)[ ]?)?|(?<=\()0[0-9]{1,3}\)[ \-]?)?"
    r"(?<=[0-9 \-)])[0-9]*(?:[ \-.][0-9]+){0,7}"
    r"(?![0-9A-Za-z_]|[\-.][0-9])"
)
# Digits read out in a call transcript ("공일공 칠사이일 팔팔삼오"): Sino-Korean digit
# syllables in up to five groups, not inside a word.
_SPOKEN_DIGITS = "공영일이삼사오육륙칠팔구"
_SPOKEN_VALUE = str.maketrans(_SPOKEN_DIGITS, "001234566789")
SPOKEN_PATTERN = (
    rf"[{_SPOKEN_DIGITS}](?<![가-힣].)[{_SPOKEN_DIGITS}]{{2,5}}"
    rf"(?:[ \-][{_SPOKEN_DIGITS}]{{1,6}}){{0,4}}"
)
# Native numerals read out as digits ("공일공 하나둘셋넷 …"): a run of nine to sixteen digit
# words, at least one of them native, not inside a word. Counted only after a number's
# context word (전화, 계좌, 번호 …): alone, "하나 둘 셋" is counting, not an identifier.
_NATIVE = ("하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_VALUE = {w: str(i) for i, w in enumerate(_NATIVE, 1)}
_DIGIT_WORD = "|".join((*_NATIVE, f"[{_SPOKEN_DIGITS}]"))
# Groups may also be joined by the particle 에, as read out ("공일공에 칠사이일에 …").
_WORD_SEP = r"(?:에 ?|[ \-])?"
NATIVE_PATTERN = (
    rf"(?<![가-힣])(?:(?:{_DIGIT_WORD}){_WORD_SEP}){{8,15}}(?:{_DIGIT_WORD})"
    r"(?:(?![가-힣])|(?=[이요에입번]))"
)
_NATIVE_HOLD = rf"(?<![가-힣])(?:(?:{_DIGIT_WORD}){_WORD_SEP}){{0,15}}(?:하|다|여|일|아|에)?(?s:.)?"
# What the stream guard must hold back while it could still grow into a run: the run
# itself, a dangling separator, and the one character that settles the boundary; or a
# run of spoken digits.
NUMBER_HOLD = (
    r"[0-9+(](?<![0-9A-Za-z_].)(?:(?<=\+)8(?:2[ \-]?(?:\(0?\)?[ ]?)?)?"
    r"|(?<=\()0[0-9]{0,3}\)?[ \-]?)?[0-9]*(?:[ \-.][0-9]+){0,7}[ \-.]?(?s:.)?"
    rf"|[{_SPOKEN_DIGITS}](?<![가-힣].)[{_SPOKEN_DIGITS}]{{0,5}}"
    rf"(?:[ \-][{_SPOKEN_DIGITS}]{{1,6}}){{0,4}}[ \-]?(?s:.)?"
    rf"|{_NATIVE_HOLD}"
)
_REGION_NAMES = (
    "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"
    "|경기남부|경기북부"
)
# Old driver's licences start with the region's name ("서울 91-123456-78"): hold it too.
LICENCE_HOLD = rf"(?<![가-힣])(?:{_REGION_NAMES})[ ]?[0-9]*(?:[ \-.][0-9]+){{0,3}}[ \-.]?(?s:.)?"
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_GROUP_SPLIT = re.compile(r"([0-9]+)")

_MOBILE = frozenset({"010", "011", "016", "017", "018", "019"})
_AREA = frozenset("031 032 033 041 042 043 044 051 052 053 054 055 061 062 063 064".split())
_PERSONAL_050 = frozenset({"0502", "0503", "0504", "0505", "0506", "0507", "0508"})
# 운전면허 지역 코드: 11 서울 ... 26 울산, 28 경기북부.
_LICENCE_REGIONS = frozenset(f"{n}" for n in (*range(11, 27), 28))
_LICENCE_REGION_NAMES = re.compile(rf"(?<![가-힣])(?:{_REGION_NAMES})[ ]?$")
_ALLOWED_SEPS = {
    "PHONE": frozenset("-. )"),
    "CARD": frozenset("-. "),
    "RESIDENT": frozenset("- ."),
    "BRN": frozenset("-"),
    "DRIVER_LICENSE": frozenset("- "),
    "ACCOUNT": frozenset("-"),
    "IP": frozenset("."),
}
# The formats whose separators a uniform run of one separator character suits; a single
# block of digits (no separator) suits them all.
_FITS: dict[str, frozenset[str]] = {
    sep: frozenset(kind for kind, allowed in _ALLOWED_SEPS.items() if sep in allowed)
    for sep in set().union(*_ALLOWED_SEPS.values())
}
_FITS[""] = frozenset(_ALLOWED_SEPS)
_FITS_NONE: frozenset[str] = frozenset()
_CHECKED = frozenset({"CARD", "RESIDENT"})
_DOT = frozenset(".")


# A run that starts with a digit is digit groups joined by one separator character each,
# so str.translate can take it apart without a regex call.
_SEPARATORS_TO_SPACE = str.maketrans("-.", "  ")
_DROP_DIGITS = str.maketrans("", "", "0123456789")


class _Run:
    """Digit groups of one candidate with their offsets and the separators between them."""

    __slots__ = ("_edges", "end", "paren", "plus", "seps", "start", "values")

    def __init__(self, text: str, start: int, end: int) -> None:
        piece = text[start:end]
        self.start, self.end = start, end
        self.plus = piece[0] == "+"
        self.paren = piece[0] == "("
        self._edges: list[int] | None = None
        if self.plus or self.paren:
            # [lead, group, sep, group, ..., group, tail]; seps may be ") " or " (".
            parts = _GROUP_SPLIT.split(piece)
            self.values: list[str] = parts[1::2]
            self.seps: list[str] = parts[2:-1:2]
            self._edges = list(accumulate(map(len, parts), initial=start))
        else:
            self.values = piece.translate(_SEPARATORS_TO_SPACE).split()
            self.seps = list(piece.translate(_DROP_DIGITS))

    def bounds(self, i: int, j: int) -> tuple[int, int]:
        """Where groups i..j-1 start and end in the text."""
        edges = self._edges
        if edges is None:
            if i == 0 and j == len(self.values):
                return self.start, self.end
            parts = [""]
            for value, sep in zip(self.values, [*self.seps, ""], strict=True):
                parts += (value, sep)
            # Group g starts at edges[2 * g + 1] and ends at edges[2 * g + 2].
            edges = self._edges = list(accumulate(map(len, parts), initial=self.start))
        return edges[2 * i + 1], edges[2 * j]


def _phone(d: str, shape: tuple[int, ...], seps: str) -> float:
    """Score `d` (national format, leading 0 included) as a personal phone number.

    Representative numbers (1588-xxxx), toll-free 080 and premium 060 are not personal
    and score 0.
    """
    n = len(d)
    if d[:3] in _MOBILE:
        ok = n == 11 if d[:3] == "010" else n in (10, 11)
        code, base = 3, 0.9
    elif d[:2] == "02":
        ok = n in (9, 10) and d[2] not in "01"
        code, base = 2, 0.85
    elif d[:3] in _AREA:
        ok = n in (10, 11) and d[3] not in "01"
        code, base = 3, 0.85
    elif d[:3] == "070":
        ok = n == 11
        code, base = 3, 0.85
    elif d[:4] in _PERSONAL_050:
        ok = n in (11, 12)
        code, base = 4, 0.75
    else:
        return 0.0
    if not ok:
        return 0.0
    if len(shape) == 1:
        # One block of digits: only a mobile number is recognisable without separators.
        return 0.8 if d[:2] == "01" else 0.45
    if shape != (code, n - code - 4, 4) or len(set(seps)) > 1:
        return 0.0
    return base


def _resident(d: str, sep: bool, readings: list[tuple[str, float]]) -> None:
    """RRN, FRN and CRN share the 6-7 shape; validators and birth dates tell them apart."""
    gender = d[6]
    if gender in "12345678" and resident_birth_ok(d):
        is_frn = gender in "5678"
        checksum = frn_checksum_ok(d) if is_frn else rrn_checksum_ok(d)
        if checksum:
            score = 0.95 if sep else 0.8
        elif int(d[:2]) <= 26 and gender in "3478":
            # Born 2020 or later: issued without a check digit.
            score = 0.75 if sep else 0.35
        else:
            score = 0.6 if sep else 0.3
        if is_frn and not (int(d[7:9]) % 2 == 0 and d[11] in "6789"):
            score -= 0.1
        readings.append(("FRN" if is_frn else "RRN", score))
    if crn_checksum_ok(d):
        readings.append(("CRN", 0.62 if sep else 0.35))


def _ip(values: list[str]) -> float:
    for v in values:
        if len(v) > 3 or int(v) > 255 or (len(v) > 1 and v[0] == "0"):
            return 0.0
    if values[0] == "0":
        return 0.0
    if all(len(v) == 1 for v in values):
        return 0.45  # "1.2.3.4" is more often a version or a section number
    if sum(len(v) for v in values) < 7:
        # "10.0.0.1" is an address; "1.10.2.3" is more often a section number.
        return 0.45 if len(values[0]) == 1 else 0.6
    return 0.85


def _lead_readings(text: str, run: _Run, j: int) -> tuple[list[tuple[str, float]], int, int]:
    """Readings of groups 0..j-1 of a run behind "+" or "(": only a phone fits."""
    values = run.values[:j]
    start, end = run.bounds(0, j)
    readings: list[tuple[str, float]] = []
    if run.plus:
        start = text.rfind("+", 0, start + 1)
        # "+82 10-1234-5678", "+82-2-2345-6789", "+821012345678", "+82 (0)10 ...": the
        # country code is not a group of the national number, whose leading 0 is implied.
        groups = [values[0][2:], *values[1:]] if values[0].startswith("82") else []
        groups = [g for g in groups if g]
        if groups and groups[0].startswith("0"):
            groups[0] = groups[0][1:]
        groups = [g for g in groups if g]
        if groups:
            shape_p = (len(groups[0]) + 1, *(len(g) for g in groups[1:]))
            national_seps = run.seps[j - len(groups) : j - 1]
            score = _phone("0" + "".join(groups), shape_p, "".join(national_seps).replace(" ", "-"))
            if score:
                readings.append(("PHONE", min(0.95, score + 0.05)))
    else:
        start = text.rfind("(", 0, start + 1)
        if len(values) >= 2:
            score = _phone("".join(values), tuple(map(len, values)), "".join(run.seps[1 : j - 1]))
            if score:
                readings.append(("PHONE", score))
    return readings, start, end


def _readings(
    text: str, values: list[str], seps: str, d: str, start: int
) -> tuple[list[tuple[str, float]], int]:
    """Plausible (type, score) readings of the digit groups `values` joined by `seps`.

    `d` is the digits, `start` where they start in the text; returns the readings and the
    start of the entity (a licence's region name may stand before its digits).
    """
    n = len(d)
    shape = tuple(map(len, values))
    readings: list[tuple[str, float]] = []
    single = len(values) == 1
    # The formats these separators suit. A mix suits only the formats that carry their own
    # check (a card's Luhn digit, a resident number's date and check digit) and allow
    # every separator of the mix: `4532 0151-1283-0366` is still a card.
    uniform = seps.count(seps[:1]) == len(seps) if seps else True
    if uniform:
        fits = _FITS.get(seps[:1], _FITS_NONE)
    else:
        fits = _CHECKED.intersection(*(_FITS.get(c, _FITS_NONE) for c in set(seps)))
    if d[0] == "0" and "PHONE" in fits:
        score = _phone(d, shape, seps)
        if score:
            readings.append(("PHONE", score))
    # The formats below are told apart by their digit count first (a 10-digit run may be
    # a BRN or an old-style licence, in that order).
    if n == 13:
        if single or (shape == (6, 7) and "RESIDENT" in fits):
            _resident(d, not single, readings)
            if seps == ".":  # "960113.1057178" may also be a decimal number
                readings[:] = [(t, s - 0.3) for t, s in readings]
            if single and ean13_ok(d):
                # Also a valid barcode; Korean goods start 880, books 978/979.
                penalty = 0.4 if d[:3] in ("880", "978", "979") else 0.2
                readings[:] = [(t, s - penalty) for t, s in readings]
    elif n == 10:
        if d[0] != "0" and (single or (shape == (3, 2, 5) and "BRN" in fits)):
            if brn_checksum_ok(d):
                readings.append(("BRN", 0.4 if single else 0.85))
            else:
                readings.append(("BRN", 0.02))
        if shape == (2, 6, 2) and "DRIVER_LICENSE" in fits:
            region = _LICENCE_REGION_NAMES.search(text, max(0, start - 6), start)
            if region is not None:
                readings.append(("DRIVER_LICENSE", 0.9))
                start = region.start()
            else:
                readings.append(("DRIVER_LICENSE", 0.3))
    elif 14 <= n <= 16:
        if single or (shape in ((4, 4, 4, 4), (4, 6, 5), (4, 6, 4)) and "CARD" in fits):
            issuer = d[0] in "3456" or d[0] == "9" or "2221" <= d[:4] <= "2720"
            if luhn_ok(d):
                score = 0.7 if single else 0.9
                if not issuer:
                    score -= 0.3
            else:
                score = 0.02  # a card number always carries its Luhn digit
            readings.append(("CARD", score))
    elif n == 12:
        if d[:2] in _LICENCE_REGIONS and (
            single or (shape == (2, 2, 6, 2) and "DRIVER_LICENSE" in fits)
        ):
            readings.append(("DRIVER_LICENSE", 0.3 if single else 0.9))
    if seps == "...":  # four groups joined by dots (each separator is one character)
        score = _ip(values)
        if score:
            readings.append(("IP", score))
    if 10 <= n <= 14:
        if single:
            readings.append(("ACCOUNT", 0.2))
        elif 2 <= len(values) <= 4 and min(shape) >= 2 and "ACCOUNT" in fits:
            readings.append(("ACCOUNT", 0.3))
        elif 3 <= len(values) <= 4 and min(shape) >= 2 and seps.count(" ") == len(seps):
            # Read out or typed in groups ("110 482 339017"): an account only where a
            # context word says so (0.05 + 0.45 stays under the threshold otherwise).
            readings.append(("ACCOUNT", 0.1))
    return readings, start


# How much a negative context word (주문번호, 버전, 택배...) takes off. Formats that nothing
# else shares (a mobile number, four octets) lose less than bare digit strings.
_NEGATIVE_PENALTY = {"PHONE": 0.3, "IP": 0.3}
_score_of = itemgetter(1)


def _decide(keyword: str, readings: list[tuple[str, float]]) -> tuple[str, float]:
    """Apply the context word before the candidate and pick the best reading."""
    best_type, best = "", 0.0
    for kind, score in readings:
        if keyword == NEGATIVE:
            score -= _NEGATIVE_PENALTY.get(kind, 0.45)
        elif keyword == kind:
            score = min(0.99, score + 0.45)
        elif keyword == "RRN" and kind == "FRN":
            score = min(0.99, score + 0.3)  # a foreigner's number in a 주민등록번호 field
        if score > best:
            best_type, best = kind, score
    return best_type, best


def find_numbers(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    """Numeric identifiers starting at or after `start` (earlier text serves as context).

    `spans`, when given, receives the span of every run scanned (identifier or not).
    """
    out: list[Entity] = []
    for m in _NUMBER_RE.finditer(text, start):
        span = m.span()
        if spans is not None:
            spans.append(span)
        s, e = span
        if e - s < 7:
            continue  # no identifier is shorter than 7 characters ("1.1.1.1")
        if text[s] == "+" or text[s] == "(":
            run = _Run(text, s, e)
            if not run.values:
                continue
            found = _classify(text, run, 0, len(run.values))
            spaced = " " in run.seps
        else:
            # The common case, digit groups joined by single separators, is judged whole
            # before any _Run is built.
            piece = text[s:e]
            seps = piece.translate(_DROP_DIGITS)
            values = piece.replace("-", " ").replace(".", " ").split(" ") if seps else [piece]
            found = _judge(text, values, seps, s, e)
            spaced = " " in seps
            if found is None and spaced:
                run = _Run(text, s, e)
        if found is not None:
            if found.start >= start:
                out.append(found)
            continue
        if not spaced:
            continue
        # Retry pieces between spaces, longest first, left to right.
        k = len(run.values)
        cuts = [0] + [g + 1 for g, sep in enumerate(run.seps) if " " in sep] + [k]
        a = 0
        while a < len(cuts) - 1:
            for b in range(len(cuts) - 1, a, -1):
                if a == 0 and b == len(cuts) - 1:
                    continue
                found = _classify(text, run, cuts[a], cuts[b])
                if found is not None:
                    if found.start >= start:  # a licence's region word may lie before it
                        out.append(found)
                    a = b
                    break
            else:
                a += 1
    return out


_SPOKEN_RE = re.compile(SPOKEN_PATTERN)
_SPOKEN_GROUPS = re.compile(rf"[{_SPOKEN_DIGITS}]+")


def find_spoken_numbers(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    """Numbers read out syllable by syllable (공일공 칠사이일 팔팔삼오), judged as the digits
    they spell; a trailing 이 may be the particle ("…팔팔삼오이에요") and is tried without."""
    out: list[Entity] = []
    for m in _SPOKEN_RE.finditer(text, start):
        s, e = m.span()
        if e - s < 9:
            continue  # fewer than 9 syllables spell no identifier
        if spans is not None:
            spans.append((s, e))
        best: Entity | None = None
        for end in (e, e - 1) if text[e - 1] == "이" else (e,):
            piece = text[s:end]
            values = [g.translate(_SPOKEN_VALUE) for g in _SPOKEN_GROUPS.findall(piece)]
            seps = "".join(c for c in piece if c in " -")
            found = _judge(text, values, seps, s, end)
            if found is not None and (best is None or found.score > best.score):
                best = new_entity(s, end, found.type, found.score, piece)
        if best is not None:
            out.append(best)
    if _NATIVE_HINT.search(text, start) is not None:
        out += _native_numbers(text, start, spans, [(e.start, e.end) for e in out])
    return out


_NATIVE_RE = re.compile(NATIVE_PATTERN)
# A native numeral, or two digit syllables joined by 에: the cheap test before the run regex.
_NATIVE_HINT = re.compile("|".join((*_NATIVE, f"[{_SPOKEN_DIGITS}]에 ?[{_SPOKEN_DIGITS}]")))
_DIGIT_WORD_RE = re.compile(_DIGIT_WORD)


def _native_numbers(
    text: str, start: int, spans: Spans | None, taken: list[tuple[int, int]]
) -> list[Entity]:
    """Runs with native numerals, judged as the digits they spell after a context word."""
    out: list[Entity] = []
    for m in _NATIVE_RE.finditer(text, start):
        s, e = m.span()
        words = _DIGIT_WORD_RE.findall(m.group())
        if "에" not in m.group() and not any(w in _NATIVE_VALUE for w in words):
            continue  # Sino-Korean syllables alone: find_spoken_numbers' run
        if spans is not None:
            spans.append((s, e))
        keyword = nearest_keyword(text, s)
        if keyword is None or keyword == NEGATIVE or any(a < e and s < b for a, b in taken):
            continue
        best: Entity | None = None
        # A trailing 이 may be the particle ("…여덟이요") and is tried without.
        for cut in (0, 1) if words[-1] == "이" else (0,):
            used = words[: len(words) - cut]
            digits = "".join(_NATIVE_VALUE.get(w) or w.translate(_SPOKEN_VALUE) for w in used)
            found = _judge(text, [digits], "", s, e - cut)
            if found is not None and (best is None or found.score > best.score):
                best = found
        if best is not None:
            out.append(best)
    return out


def _classify(text: str, run: _Run, i: int, j: int) -> Entity | None:
    """Judge groups i..j-1 of `run`."""
    if i == 0 and (run.plus or run.paren):
        n = len("".join(run.values[:j]))
        # Fewer than 7 digits is no identifier, except four dotted octets ("10.0.0.1").
        if n < 7 and (j != 4 or set(run.seps[: j - 1]) != _DOT):
            return None
        readings, s, e = _lead_readings(text, run, j)
        return _entity(text, readings, s, e)
    s, e = run.bounds(i, j)
    return _judge(text, run.values[i:j], "".join(run.seps[i : j - 1]), s, e)


def _judge(text: str, values: list[str], seps: str, s: int, e: int) -> Entity | None:
    """Judge digit groups `values` joined by `seps`, at [s, e) in the text."""
    d = "".join(values)
    n = len(d)
    if not 9 <= n <= 16 and len(values) != 4:
        return None  # no format has this many digits (an IP is four groups, a phone 9-12)
    if n >= 9 and d.count(d[0]) == n:
        return None  # a form's placeholder ("000000-0000000"), not a number
    # Fewer than 7 digits is no identifier, except four dotted octets ("10.0.0.1").
    if n < 7 and seps != "...":
        return None
    readings, s = _readings(text, values, seps, d, s)
    return _entity(text, readings, s, e)


def _entity(text: str, readings: list[tuple[str, float]], s: int, e: int) -> Entity | None:
    """The best reading as an entity at [s, e), or None when none scores above 0."""
    if not readings:
        return None
    keyword = nearest_keyword(text, s)
    if keyword is not None:
        kind, best = _decide(keyword, readings)
    elif len(readings) == 1:
        kind, best = readings[0]
    else:  # no context word: the best reading as it stands, the first of equals
        kind, best = max(readings, key=_score_of)
    score = round(best, 3)
    if score <= 0.0:
        return None
    return new_entity(s, e, kind, score, text[s:e])
