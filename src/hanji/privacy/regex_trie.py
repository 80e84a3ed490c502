"""Word lists as regex alternations that the `re` engine can try quickly.

`re` tries the branches of an alternation one after another at every position it
reaches, so a flat list of a few hundred words costs a few hundred checks per position.
`word_alternation` builds the same alternation as a prefix tree ("성명|성함|성명란"
becomes "성(?:명란?|함)"): at each step only the branches for the next character remain.

The tree matches exactly what the flat alternation, longest word first, matches, also
when a later part of the pattern fails and the engine backtracks into it: at one position
the words that can match are prefixes of each other, and both forms try them longest
first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["word_alternation"]


def word_alternation(words: Iterable[str]) -> str:
    """A non-capturing regex matching any of `words` (literal text), longest first."""
    unique = sorted(set(words), key=len, reverse=True)
    if not unique or "" in unique:
        raise ValueError("word_alternation needs non-empty words")
    return "(?:" + _branches(unique) + ")"


def _branches(rests: list[str]) -> str:
    """Alternation of `rests` (sorted longest first; "" means the word may end here)."""
    by_first: dict[str, list[str]] = {}
    for rest in rests:
        if rest:
            by_first.setdefault(rest[0], []).append(rest[1:])
    parts = [re.escape(ch) + _branches(tails) for ch, tails in by_first.items()]
    if not parts:
        return ""
    may_end = "" in rests
    if len(parts) == 1 and not may_end:
        return parts[0]
    # A greedy "?" tries the longer words first, then the word that ends here.
    return "(?:" + "|".join(parts) + ")" + ("?" if may_end else "")
