"""StreamGuard: anonymise (or restore) text that arrives in pieces, e.g. SSE chunks.

Output is released as soon as it can no longer change: the guard holds back only the
shortest tail that could still be the start of an identifier (or of a placeholder, when
restoring). For every way of cutting the same text into chunks, the concatenated output
equals the batch result (a property test checks this).

Why that holds: every recogniser is local. It decides from the candidate's own characters,
at most one character after them, and at most `_CONTEXT` characters before them. So the
guard keeps the last `_CONTEXT` released characters as context and releases text up to a
cut such that
  * no pending position before the cut starts a prefix of a possible identifier: for each
    recogniser a "hold" pattern describes its candidates with the characters needed to
    decide them, and `regex` partial matching says whether the pending tail is a prefix of
    that language;
  * no identifier, and no run any recogniser scanned (found or rejected), crosses the cut,
    so that the next scan, which starts at the cut, reads the same runs the batch scan read.

Like `detect`, the guard reads the normalised view (`hanji.privacy.view`) of what it holds,
so a full-width, invisible-split or oddly separated identifier is caught in a stream too.
All decisions above are taken in view coordinates and the cut is mapped back to the text.
The view joins two digit groups across a separator (`-`, ` - `, a line break, `/`, `_`)
only once the digits after it have arrived, so a tail of digits, separator characters and
at most two digits more is held back as a whole until the next chunk decides it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from hanji.privacy.address import ADDRESS_HOLD
from hanji.privacy.anonymize import hash_values, mask, redact
from hanji.privacy.ascii_ids import ASCII_HOLD
from hanji.privacy.detect import candidates, resolve, select_types
from hanji.privacy.numbers import LICENCE_HOLD, NUMBER_HOLD
from hanji.privacy.person import PERSON_HOLD
from hanji.privacy.pseudonym import PLACEHOLDER_HOLD, Pseudonymizer
from hanji.privacy.types import DEFAULT_THRESHOLD, Entity
from hanji.privacy.view import normalized_view, original_span

__all__ = ["StreamGuard", "Transform"]

Transform = Callable[[str, list[Entity]], str]

# Characters of already released text kept as left context for the next decisions.
_CONTEXT = 80
# The longest tail the guard examines for a possible identifier start.
_MAX_HOLD = 256
# A view tail that the next chunk may still turn into one separator between digit groups
# (`view._SEPARATOR` is made of these characters and needs up to three digits after it).
_OPEN_SEPARATOR = re.compile(r"(?<=[0-9])[ \t\r\n/_-]+[0-9]{0,2}\Z")


@lru_cache(maxsize=3)
def _hold_regex(restore: bool, numeric: bool = False) -> Any:
    import regex

    if restore:
        return regex.compile(PLACEHOLDER_HOLD)
    if numeric:
        return regex.compile(f"(?:{NUMBER_HOLD})|(?:{LICENCE_HOLD})")
    union = "|".join(
        f"(?:{p})"
        for p in (
            NUMBER_HOLD,
            LICENCE_HOLD,
            ASCII_HOLD,
            PERSON_HOLD,
            ADDRESS_HOLD,
            PLACEHOLDER_HOLD,
        )
    )
    return regex.compile(union)


@lru_cache(maxsize=2)
def _start_chars(restore: bool) -> frozenset[str]:
    if restore:
        return frozenset("<")
    ascii_ = "0123456789+(<._%-:" + "".join(chr(c) for c in range(65, 91))
    ascii_ += ascii_.lower()
    # Any syllable: a partial lot address starts at any 동/리 word (`역삼동 824-11`), a
    # vocative or a table cell at any given name.
    hangul = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
    return frozenset(ascii_ + hangul)


class StreamGuard:
    """Feed chunks in, get safe chunks out; `flush()` at the end releases the rest.

    Args:
        transform: "mask", "redact", "hash" (needs `key`), "pseudonymize" (uses or creates
            `pseudonymizer`), "restore" (puts the values of `pseudonymizer` back, also when
            a placeholder arrives split over several chunks), or a callable
            `(text, entities) -> str` that must act on each entity independently.
        threshold: decision threshold (default `DEFAULT_THRESHOLD`).
        types: entity types to act on (default all).
        key: HMAC key for "hash".
        pseudonymizer: the scope for "pseudonymize" and "restore".
    """

    def __init__(
        self,
        transform: str | Transform = "mask",
        *,
        threshold: float | None = None,
        types: Iterable[str] | None = None,
        key: bytes | None = None,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> None:
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        self.types = select_types(types)
        self.pseudonymizer = pseudonymizer
        self._restore = transform == "restore"
        self._fn: Transform | None = None
        if transform == "mask":
            self._fn = mask
        elif transform == "redact":
            self._fn = redact
        elif transform == "hash":
            if not key:
                raise ValueError("transform='hash' needs a key")
            self._fn = lambda text, ents: hash_values(text, ents, key)
        elif transform in ("pseudonymize", "restore"):
            if self.pseudonymizer is None:
                if transform == "restore":
                    raise ValueError("transform='restore' needs the pseudonymizer of the scope")
                self.pseudonymizer = Pseudonymizer(threshold=threshold, types=types)
            self._fn = self.pseudonymizer.apply
        elif callable(transform):
            self._fn = transform
        else:
            raise ValueError(f"unknown transform {transform!r}")
        self._context = ""  # released original text, last _CONTEXT characters
        self._pending = ""  # received, not yet released

    def feed(self, chunk: str) -> str:
        """Add `chunk`; return the text that is now safe to release (may be empty)."""
        if not chunk:
            return ""
        self._pending += chunk
        return self._release(final=False)

    def flush(self) -> str:
        """Release everything still held (the stream has ended)."""
        return self._release(final=True)

    def _release(self, *, final: bool) -> str:
        text = self._context + self._pending
        base = len(self._context)
        if self._restore:
            cut = len(text) if final else self._hold_start(text, base, len(text))
            out = self.pseudonymizer.restore(text[base:cut])  # type: ignore[union-attr]
            self._context = text[max(0, cut - _CONTEXT) : cut]
            self._pending = text[cut:]
            return out
        view, index = normalized_view(text)
        if index is None:
            index = range(len(text))
        end = len(view)
        vbase = bisect_left(index, base)  # first view character of the pending text
        spans: list[tuple[int, int]] = []
        found = [e for e in candidates(view, self.types, vbase, spans) if e.score >= self.threshold]
        vcut = end
        if not final:
            vcut = self._hold_start(view, vbase, end)
            tail = _OPEN_SEPARATOR.search(view, vbase)
            if tail is not None:  # digits before it may yet join the digits after it
                vcut = min(vcut, self._hold_start(view, vbase, tail.start(), numeric=True))
            # Never cut inside an identifier or inside any run a recogniser scanned: the
            # next view would scan from the cut and might read that run differently.
            spans += [(e.start, e.end) for e in found]
            moved = True
            while moved:
                moved = False
                for s, e in spans:
                    if s < vcut < e:
                        new = max(s, vbase)
                        moved = moved or new != vcut
                        vcut = new
        cut = index[vcut] if vcut < end else len(text)
        ents = []
        for e in resolve([e for e in found if e.end <= vcut]):
            s, t = original_span(index, e.start, e.end)  # type: ignore[arg-type]
            ents.append(Entity(s - base, t - base, e.type, e.score, text[s:t]))
        out = self._fn(text[base:cut], ents)  # type: ignore[misc]
        # Keep as context the original text behind the last _CONTEXT view characters.
        keep = index[max(0, vcut - _CONTEXT)] if vcut else cut
        self._context = text[min(keep, cut) : cut]
        self._pending = text[cut:]
        return out

    def _hold_start(self, view: str, base: int, end: int, *, numeric: bool = False) -> int:
        """First position from which `view[:end]` could still be the start of something
        (of a number, when `numeric`); `end` when there is none."""
        hold = _hold_regex(self._restore, numeric)
        starts = _start_chars(self._restore)
        for s in range(max(base, end - _MAX_HOLD), end):
            if view[s] in starts and hold.fullmatch(view, s, end, partial=True) is not None:
                return s
        return end
