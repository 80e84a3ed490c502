"""`resolve` keeps exactly what the straightforward quadratic algorithm keeps."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from hanji.privacy.detect import resolve
from hanji.privacy.types import Entity


def reference_resolve(entities: list[Entity]) -> list[Entity]:
    """The old algorithm, word for word: each entity against every one kept so far."""
    if len(entities) < 2:
        return list(entities)
    kept: list[Entity] = []
    for e in sorted(entities, key=lambda e: (-e.score, e.start - e.end, e.start)):
        for k in kept:
            if e.start < k.end and k.start < e.end:
                break
        else:
            kept.append(e)
    kept.sort(key=lambda e: e.start)
    return kept


@st.composite
def entity_sets(draw: st.DrawFn, max_pos: int = 60) -> list[Entity]:
    """Dense, heavily overlapping sets with tied scores and spans (empty spans included)."""
    n = draw(st.integers(0, 40))
    scores = st.sampled_from([0.3, 0.5, 0.5, 0.7, 0.85, 0.9, 1.0])
    types = st.sampled_from(["PERSON", "RRN", "ADDRESS"])
    out = []
    for _ in range(n):
        start = draw(st.integers(0, max_pos))
        length = draw(st.integers(0, 12))
        out.append(Entity(start, start + length, draw(types), draw(scores)))
    return out


def _wire(entities: list[Entity]) -> list[tuple[int, int, str, float]]:
    return [(e.start, e.end, e.type, e.score) for e in entities]


@settings(max_examples=400, deadline=None)
@given(entity_sets())
def test_resolve_matches_the_reference(entities: list[Entity]) -> None:
    got = resolve(entities)
    assert _wire(got) == _wire(reference_resolve(entities))
    # the same objects, in start order, none overlapping another
    assert all(any(g is e for e in entities) for g in got)
    for a, b in pairwise(got):
        assert a.start <= b.start
    for i, a in enumerate(got):
        for b in got[i + 1 :]:
            assert not (a.start < b.end and b.start < a.end)


@settings(max_examples=100, deadline=None)
@given(entity_sets(max_pos=5))
def test_resolve_matches_the_reference_when_everything_collides(
    entities: list[Entity],
) -> None:
    assert _wire(resolve(entities)) == _wire(reference_resolve(entities))


def test_resolve_many_names_side_by_side() -> None:
    # a text full of names: thousands of kept entities, each also overlapped by a weaker one
    names = [Entity(4 * i, 4 * i + 3, "PERSON", 0.85) for i in range(3000)]
    weak = [Entity(4 * i + 2, 4 * i + 5, "PERSON", 0.6) for i in range(3000)]
    got = resolve(weak + names)
    assert _wire(got) == _wire(reference_resolve(weak + names))
    assert _wire(got) == _wire(names)
