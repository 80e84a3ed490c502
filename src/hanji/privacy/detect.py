"""`detect`: run the recognisers, keep what clears the threshold, resolve overlaps."""

from __future__ import annotations

from collections.abc import Iterable

from hanji.privacy.address import find_addresses
from hanji.privacy.ascii_ids import find_emails, find_ipv6, find_passports
from hanji.privacy.numbers import find_numbers
from hanji.privacy.person import find_persons
from hanji.privacy.types import DEFAULT_THRESHOLD, ENTITY_TYPES, Entity, Spans

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
    found: list[Entity] = []
    if wanted & _NUMERIC:
        found += find_numbers(text, start, spans)
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
    return found if wanted == _ALL else [e for e in found if e.type in wanted]


def resolve(entities: list[Entity]) -> list[Entity]:
    """Drop overlapping entities: higher score first, then the longer span, then the earlier."""
    if len(entities) < 2:
        return list(entities)
    kept: list[Entity] = []
    for e in sorted(entities, key=lambda x: (-x.score, x.start - x.end, x.start)):
        if all(e.end <= k.start or e.start >= k.end for k in kept):
            kept.append(e)
    kept.sort(key=lambda x: x.start)
    return kept


def detect(
    text: str, *, threshold: float | None = None, types: Iterable[str] | None = None
) -> list[Entity]:
    """Find identifiers in `text`, sorted by start, non-overlapping.

    Offsets are code-point offsets into `text` as given (no normalisation happens here, so
    they stay valid for the caller). Only entities scoring at least `threshold`
    (default `DEFAULT_THRESHOLD`) of the requested `types` (default: all) are returned.
    """
    if not text:
        return []
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    found = [e for e in candidates(text, select_types(types)) if e.score >= limit]
    return resolve(found)
