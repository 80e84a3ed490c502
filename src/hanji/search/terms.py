"""Index terms: Kiwi content morphemes, so that particles and endings never stop a match.

``그라디언트를`` and ``그라디언트가`` both become ``그라디언트``; ``계산했습니다`` becomes
``계산``. Nouns, verb and adjective stems, roots, adverbs, foreign words, hanja and numbers
are kept; particles (J*), endings (E*), suffixes (XS*), punctuation and bound nouns are not.
Kiwi analyses a batch of texts on its own worker threads; a query's terms are cached, so a
repeated question costs a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from hanji.text.sentences import get_kiwi

_KEEP = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN", "MA"})
"""Tag prefixes (the first two or three letters of a Kiwi tag) whose morphemes are terms."""


def _keep(tag: str) -> bool:
    return tag[:3] in _KEEP or tag[:2] in _KEEP


def analyse(texts: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Per text: (how many morphemes it has, its index terms), for a batch at once.

    The morpheme count is the chunker's size measure: it follows a Korean-aware model's
    token count closer than characters or words do.
    """
    out: list[tuple[int, list[str]]] = []
    if not texts:
        return out
    for tokens in get_kiwi().tokenize(list(texts)):
        out.append((len(tokens), [t.form.lower() for t in tokens if _keep(t.tag)]))
    return out


def terms(text: str) -> list[str]:
    return analyse([text])[0][1] if text.strip() else []


@lru_cache(maxsize=4096)
def query_terms(text: str) -> tuple[str, ...]:
    """A query's terms, cached (questions repeat; Kiwi is the slow part of a search)."""
    return tuple(terms(text))


def whitespace_terms(text: str) -> list[str]:
    """The baseline's terms: words split on white space, lower-cased, punctuation stripped."""
    return [w for w in (w.strip(".,!?()[]\"'“”‘’·:;").lower() for w in text.split()) if w]
