"""The entity record and the type names every consumer of `hanji.privacy` relies on."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_THRESHOLD", "ENTITY_TYPES", "Entity", "Spans", "new_entity"]

# Raw match spans a recogniser scanned (found or rejected); the stream guard never cuts
# inside one.
Spans = list[tuple[int, int]]

ENTITY_TYPES: tuple[str, ...] = (
    "RRN",  # 주민등록번호
    "FRN",  # 외국인등록번호
    "PASSPORT",  # 여권번호
    "DRIVER_LICENSE",  # 운전면허번호
    "BRN",  # 사업자등록번호
    "CRN",  # 법인등록번호
    "CARD",  # 카드번호
    "ACCOUNT",  # 계좌번호
    "PHONE",  # 전화번호
    "EMAIL",
    "IP",
    "ADDRESS",  # 도로명·지번 주소
    "PERSON",  # 사람 이름
)

# Scores at or above this are reported by `detect` and by `hanji privacy scan`.
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Entity:
    """One identifier: code-point offsets `[start, end)` into the original text.

    `text` is the matched value; it is left out of `repr` so that an entity logged by
    mistake does not leak the identifier it describes.
    """

    start: int
    end: int
    type: str
    score: float
    text: str = field(default="", repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        """The wire form of `hanji privacy scan` (no value, only where and what)."""
        return {"start": self.start, "end": self.end, "type": self.type, "score": self.score}


# The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
# which costs about as much as the rest of a short candidate's classification. The
# recognisers build their entities through the slots' own setters instead: the same
# object, a third of the cost.
_alloc = object.__new__
_set_start = Entity.start.__set__  # type: ignore[attr-defined]
_set_end = Entity.end.__set__  # type: ignore[attr-defined]
_set_type = Entity.type.__set__  # type: ignore[attr-defined]
_set_score = Entity.score.__set__  # type: ignore[attr-defined]
_set_text = Entity.text.__set__  # type: ignore[attr-defined]


def new_entity(start: int, end: int, kind: str, score: float, text: str) -> Entity:
    """`Entity(start, end, kind, score, text)`, built without the dataclass __init__."""
    e = _alloc(Entity)
    _set_start(e, start)
    _set_end(e, end)
    _set_type(e, kind)
    _set_score(e, score)
    _set_text(e, text)
    return e
