"""`detect`: run the recognisers, keep what clears the threshold, resolve overlaps."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from operator import attrgetter

from hanji.privacy.address import find_addresses
from hanji.privacy.ascii_ids import find_emails, find_ipv6, find_passports
from hanji.privacy.numbers import find_numbers, find_spoken_numbers
from hanji.privacy.person import find_persons
from hanji.privacy.romanized import find_romanized
from hanji.privacy.types import DEFAULT_THRESHOLD, ENTITY_TYPES, Entity, Spans, new_entity
from hanji.privacy.view import normalized_view, original_span

__all__ = ["candidates", "detect", "resolve", "select_types"]

_NUMERIC = frozenset(
    {"RRN", "FRN", "DRIVER_LICENSE", "BRN", "CRN", "CARD", "ACCOUNT", "PHONE", "IP"}
)
_ALL = frozenset(ENTITY_TYPES)


def select_types(types: Iterable[str] | None) -> frozenset[str]:
    """Validate a type filter; None means all thirteen types."""
    if types is None:
        return _ALL
    chosen = frozenset(types)
    unknown = chosen - set(ENTITY_TYPES)
    if unknown:
        raise ValueError(
            f"unknown entity type(s): {', '.join(sorted(unknown))}; "
            f"known types: {', '.join(ENTITY_TYPES)}"
        )
    return chosen


def candidates(
    text: str, wanted: frozenset[str], start: int = 0, spans: Spans | None = None
) -> list[Entity]:
    """Every scored candidate of the wanted types that starts at or after `start`.

    `spans`, when given, receives every raw match span the recognisers scanned.
    """
    if wanted is _ALL:  # the common case: every recogniser, nothing to filter
        found = find_numbers(text, start, spans)
        if not text.isascii():
            found += find_spoken_numbers(text, start, spans)
        if ":" in text:  # the recognisers' own first test, without the call
            found += find_ipv6(text, start, spans)
        if "@" in text:
            found += find_emails(text, start, spans)
        found += find_passports(text, start, spans)
        found += find_addresses(text, start, spans)
        found += find_persons(text, start, spans)
        found += find_romanized(text, start, spans)
        return found
    found = []
    if not wanted.isdisjoint(_NUMERIC):
        found += find_numbers(text, start, spans)
        found += find_spoken_numbers(text, start, spans)
    if "IP" in wanted:
        found += find_ipv6(text, start, spans)
    if "EMAIL" in wanted:
        found += find_emails(text, start, spans)
    if "PASSPORT" in wanted:
        found += find_passports(text, start, spans)
    if "ADDRESS" in wanted:
        found += find_addresses(text, start, spans)
    if "PERSON" in wanted:
        found += find_persons(text, start, spans)
        found += find_romanized(text, start, spans)
    return found if wanted == _ALL else [e for e in found if e.type in wanted]


def resolve(entities: list[Entity]) -> list[Entity]:
    """Drop overlapping entities: higher score first, then the longer span, then the earlier.

    Entities are taken in that priority order and kept unless they overlap one already
    kept. "Overlaps any kept" is one prefix-maximum query: among the kept entities that
    start before this one ends, does the furthest end reach past this one's start? A
    Fenwick tree over the distinct start offsets answers it and records a kept entity in
    O(log n) each, so the whole is O(n log n) (a text full of names used to be quadratic).
    """
    if len(entities) < 2:
        return list(entities)
    starts = sorted({e.start for e in entities})
    size = len(starts)
    floor = starts[0]  # no entity starts before it, so "end > start" never holds for it
    tree = [floor] * (size + 1)  # tree[i]: max end of kept entities over a rank range
    kept: list[Entity] = []
    for e in sorted(entities, key=_priority):
        start, end = e.start, e.end
        i = bisect_left(starts, end)  # ranks 1..i start before `end`
        while i:
            if tree[i] > start:
                break  # a kept entity starts before `end` and ends after `start`
            i &= i - 1
        else:
            kept.append(e)
            i = bisect_left(starts, start) + 1
            while i <= size and tree[i] < end:  # a node's parents cover its range too
                tree[i] = end
                i += i & -i
    kept.sort(key=_by_start)
    return kept


def _priority(e: Entity) -> tuple[float, int, int]:
    return (-e.score, e.start - e.end, e.start)


_by_start = attrgetter("start")


def detect(
    text: str, *, threshold: float | None = None, types: Iterable[str] | None = None
) -> list[Entity]:
    """Find identifiers in `text`, sorted by start, non-overlapping.

    Detection reads a normalised view (`hanji.privacy.view`: Unicode digits, invisible
    characters, other dashes and separators inside numbers), and offsets are code-point
    offsets into `text` as given, so they stay valid for the caller. Only entities scoring
    at least `threshold` (default `DEFAULT_THRESHOLD`) of the requested `types` (default:
    all) are returned.
    """
    if not text:
        return []
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    wanted = _ALL if types is None else select_types(types)
    view, index = normalized_view(text)
    found = [e for e in candidates(view, wanted) if e.score >= limit]
    if len(found) > 1:
        found = resolve(found)
    if index is None:
        return found
    spans = [original_span(index, e.start, e.end) for e in found]
    return [
        new_entity(s, t, e.type, e.score, text[s:t]) for e, (s, t) in zip(found, spans, strict=True)
    ]
