"""A normalised view of a text for detection, with an exact map back to the original.

A hostile client (or messy text) writes an identifier with characters the recognisers do
not read: full-width or other Unicode digits (`８００１０１`, `𝟗`, `٩`), invisible characters
inside the number (U+200B, U+00AD, …), dashes and spaces of other kinds (U+2011, U+2212,
U+FF0D, NBSP), or other separators between its digit groups (` - `, `--`, `/`, `_`, a tab,
a line break). `detect` reads the view, where those are ASCII digits, dropped, or one
``-``; every entity found there is mapped back to the original offsets, so masking,
pseudonymising and restoring act on the text as given. Each original character becomes at
most one view character, so the map is one index per view character.

Hangul, Latin letters and ordinary punctuation pass unchanged: the view changes only what
can hide a number. Text without any such character costs two regex scans and no copy.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SPACES = frozenset("\u00a0\u2007\u202f\u205f\u3000") | frozenset(map(chr, range(0x2000, 0x200B)))
# Characters outside ASCII and Hangul: the only ones the per-character pass may rewrite
# (non-ASCII digits, the sets above, full-width forms of ASCII); most Korean text has few.
_MAYBE = re.compile(r"[^\x00-\x7f\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# Between two digits: a dash with spaces or tabs around it (` - `), a double dash, a line
# break (after a `-` too: a number broken across lines) or a tab; `/` and `_` only between
# groups of three digits or more, so that CIDR masks (`10.0.0.1/32`) and dates
# (`2024/01/15`) stay as they are. Each becomes one ``-`` in the view.
_SEPARATOR = re.compile(
    r"[0-9](?P<a>[ \t]+-{1,2}[ \t]*|-{1,2}[ \t]+|--|[ \t]*-?\r?\n[ \t]*|\t)(?=[0-9])"
    r"|[0-9]{3}(?P<b>[ \t]*[/_][ \t]*)(?=[0-9]{3})"
)


# Substrings one of which every separator above contains: a cheap test before the regex.
_SEPARATOR_HINTS = (" -", "- ", "--", "\n", "\t", "/", "_")


def _char(c: str) -> str:
    if c in _INVISIBLE:
        return ""
    if c in _DASHES:
        return "-"
    if c in _SPACES:
        return " "
    if "\uff01" <= c <= "\uff5e":
        return chr(ord(c) - 0xFEE0)
    digit = unicodedata.decimal(c, None)
    return str(digit) if digit is not None else c


def normalized_view(text: str) -> tuple[str, list[int] | None]:
    """``(view, index)``: ``index[j]`` is the original offset of view character ``j``;
    ``index`` is None when the view is the text itself."""
    index: list[int] | None = None
    view = text
    changes = [(m.start(), _char(m.group())) for m in _MAYBE.finditer(text)]
    changes = [(i, c) for i, c in changes if c != text[i]]
    if changes:
        out: list[str] = []
        index = []
        at = 0
        for i, mapped in changes:
            out.append(text[at:i])
            index.extend(range(at, i))
            if mapped:
                out.append(mapped)
                index.append(i)
            at = i + 1
        out.append(text[at:])
        index.extend(range(at, len(text)))
        view = "".join(out)
    if not any(hint in view for hint in _SEPARATOR_HINTS):
        return view, index
    seps = [
        m.span("a") if m.group("a") is not None else m.span("b") for m in _SEPARATOR.finditer(view)
    ]
    if seps:
        old = index if index is not None else range(len(view))
        parts, new_index, at = [], [], 0
        for start, end in seps:
            parts.append(view[at:start])
            new_index.extend(old[at:start])
            parts.append("-")
            dash = view.find("-", start, end)
            new_index.append(old[dash if dash >= 0 else start])
            at = end
        parts.append(view[at:])
        new_index.extend(old[at:])
        view, index = "".join(parts), new_index
    return view, index


def original_span(index: list[int], start: int, end: int) -> tuple[int, int]:
    """The original ``[start, end)`` of the view's ``[start, end)`` (``end > start``)."""
    return index[start], index[end - 1] + 1
