"""From Kiwi tokens to word stems: `갓생이`, `갓생을`, `갓생에서` all give `갓생`.

A Korean word-unit (어절) is a stem followed by particles and endings. Kiwi often splits
an unknown word wrongly (갓생 → 갓/MAG 생/NNG) but nearly always finds the particles and
endings after it, so the stem is taken as the surface text up to the end of the last
content morpheme, whatever Kiwi thought that content was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

_HANGUL_WORD = re.compile(r"[가-힣]+")
_EOJEOL = re.compile(r"\S+")
_LEADING = re.compile(r"^[^\w]+")
_TRAILING = re.compile(r"[^\w]+$")
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[\"'”’」』)\]]*(?=\s|$)|$)")
_MAX_SENTENCE = 1000

# Tags of morphemes that belong to the tail of a word-unit, not to its stem.
_PUNCT = ("SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB", "Z_", "W_")
_FUNCTION_TAGS = ("J", "E", "VCP", "XSV", "XSA", "XSM")  # prefixes: XSA-I is an XSA
_PLURAL = ("들",)
_LIGHT_VERBS = ("하", "되")  # 존버하다 is sometimes read as 존버/NNG + 하/VV
_NOMINAL = ("NN", "NP", "NR", "XR", "SL", "SH", "SN")

# Surface suffixes (particles, copula, light verbs) used to fold stem variants together
# when Kiwi kept a particle inside the stem (얼죽아들 → 얼죽아, 킹정하 → 킹정).
PARTICLES = tuple(
    """이 가 을 를 은 는 의 에 에서 에게 에게서 께 께서 한테 로 으로 와 과 도 만 까지 부터
    처럼 보다 이나 나 이랑 랑 하고 조차 마저 밖에 뿐 마다 대로 만큼 야 이여 여""".split()
)
COPULA = tuple(
    """이다 다 이야 이에요 예요 이었다 였다 이었 였 인 이라 라 이라고 라고 이라는 라는
    이라며 라며 이라서 라서 이고 이지 이지만 인데 이면 면 이니 이잖 잖""".split()
)
LIGHT = tuple(
    """하 해 했 한 할 함 하는 하게 하며 하면 되 돼 됐 된 될 답 다운 스럽 스러운""".split()
)
NOMINAL_SUFFIXES = frozenset(COPULA + LIGHT)
SURFACE_SUFFIXES = frozenset(
    PARTICLES + COPULA + LIGHT + ("들",) + tuple("들" + p for p in PARTICLES + COPULA)
)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One word-unit reduced to its stem.

    Args:
        stem: surface text of the stem (`갓생`).
        tail: surface text after the stem inside the word-unit (`에서`, or '' when bare).
        noun: evidence that the stem is a noun: 1 particle/copula after it, 0 a verb
            ending, 0.5 undecided.
        left: last character of the previous word-unit, `^` at the start of a sentence.
    """

    stem: str
    tail: str
    noun: float
    left: str


def split_sentences(text: str) -> list[str]:
    """Sentences of a document: line breaks and sentence-final punctuation end them."""
    sentences: list[str] = []
    for line in text.splitlines():
        for match in _SENTENCE.finditer(line):
            sentence = match.group().strip()
            if not sentence:
                continue
            while len(sentence) > _MAX_SENTENCE:
                cut = sentence.rfind(" ", 0, _MAX_SENTENCE)
                cut = cut if cut > 0 else _MAX_SENTENCE
                sentences.append(sentence[:cut].strip())
                sentence = sentence[cut:].strip()
            if sentence:
                sentences.append(sentence)
    return sentences


def eojeols(sentence: str) -> Iterator[tuple[int, int]]:
    """Character spans of word-units with surrounding quotes and punctuation trimmed."""
    for match in _EOJEOL.finditer(sentence):
        start, end = match.span()
        word = match.group()
        lead = _LEADING.match(word)
        trail = _TRAILING.search(word)
        start += lead.end() if lead else 0
        end -= len(trail.group()) if trail else 0
        if end > start:
            yield start, end


def _is_function(token: Any, prev: Any | None) -> bool:
    tag: str = token.tag
    if tag.startswith(_FUNCTION_TAGS) or tag.startswith(_PUNCT):
        return True
    if tag == "XSN" and token.form in _PLURAL:
        return True
    return (
        tag.startswith("VV")
        and token.form in _LIGHT_VERBS
        and prev is not None
        and prev.tag.startswith(_NOMINAL)
    )


def _noun_evidence(tail: list[Any], last: Any | None, fused: bool) -> float:
    tail = [t for t in tail if not t.tag.startswith(_PUNCT)]
    if tail:
        tag = tail[0].tag
        if tag.startswith("E"):
            return 0.0
        return 1.0 if tag.startswith(("J", "VCP", "XS", "VV")) else 0.5
    if fused or last is None:
        return 0.0
    if last.tag.startswith(_NOMINAL):
        return 1.0
    return 0.0 if last.tag.startswith(("VV", "VA", "VX")) else 0.5


def stems_of_sentence(sentence: str, tokens: Sequence[Any]) -> Iterator[Occurrence]:
    """Every word-unit of `sentence` as an `Occurrence`, using Kiwi's `tokens` for it."""
    ordered = sorted(tokens, key=lambda t: t.start)
    i = 0
    left = "^"
    for start, end in eojeols(sentence):
        while i < len(ordered) and ordered[i].start < start:
            i += 1
        inside = []
        while i < len(ordered) and ordered[i].start < end:
            inside.append(ordered[i])
            i += 1
        content_end = start
        last = None
        prev = None
        for token in inside:
            if not _is_function(token, prev):
                content_end = max(content_end, min(end, token.start + token.len))
                last = token
            prev = token
        tail = [t for t in inside if t.start >= content_end]
        # 기다렸 = 기다리/VV + 었/EP inside one syllable: a verb with its ending fused on
        fused = (
            last is not None
            and not last.tag.startswith(_NOMINAL)
            and any(
                t is not last and t.start < content_end and _is_function(t, None) for t in inside
            )
        )
        yield Occurrence(
            stem=sentence[start:content_end],
            tail=sentence[content_end:end],
            noun=_noun_evidence(tail, last, fused),
            left=left,
        )
        left = sentence[end - 1]


def is_hangul_word(text: str) -> bool:
    """Only complete Hangul syllables: candidates are Korean words."""
    return _HANGUL_WORD.fullmatch(text) is not None


def has_final_consonant(word: str) -> bool:
    """Whether the last syllable has a 받침 (decides 을/를, 이/가 after the word)."""
    code = ord(word[-1]) - 0xAC00 if word else -1
    return 0 <= code < 11172 and code % 28 != 0
