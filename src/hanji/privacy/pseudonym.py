"""Reversible pseudonyms: <RRN_1>, <PERSON_2> ... consistent within one scope.

The gateway pseudonymises a prompt before it leaves the customer's boundary, keeps the
mapping (encrypted under the customer's key) and restores the model's answer. Equal
values get equal placeholders within a scope, so the model can still reason about "the
same person" without seeing who it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from hanji.privacy.types import ENTITY_TYPES, Entity

__all__ = ["PLACEHOLDER_HOLD", "PLACEHOLDER_PATTERN", "Pseudonymizer"]

_TYPES = "|".join(sorted(ENTITY_TYPES, key=len, reverse=True))
PLACEHOLDER_PATTERN = rf"<(?:{_TYPES})_[1-9][0-9]{{0,8}}>"
# What a stream must hold back while a placeholder could still be arriving.
PLACEHOLDER_HOLD = PLACEHOLDER_PATTERN
_PLACEHOLDER_RE = re.compile(PLACEHOLDER_PATTERN)
_PLACEHOLDER_PARTS = re.compile(rf"<({_TYPES})_([0-9]+)>")


class Pseudonymizer:
    """Assigns <TYPE_n> placeholders per distinct (type, value) and restores them.

    One instance is one scope (a conversation, a document batch). The mapping is plain
    data: `to_dict()` / `from_dict()` (or `to_json()` / `from_json()`) let the caller
    store it, e.g. encrypted by the vault.
    """

    def __init__(self, *, threshold: float | None = None, types: Iterable[str] | None = None):
        self.threshold = threshold
        self.types = None if types is None else tuple(types)
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counters: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._by_placeholder)

    def placeholder(self, kind: str, value: str) -> str:
        """The placeholder of `value`, creating the next free one for its type if new."""
        key = (kind, value)
        found = self._by_value.get(key)
        if found is not None:
            return found
        n = self._counters.get(kind, 0) + 1
        while f"<{kind}_{n}>" in self._by_placeholder:
            n += 1
        self._counters[kind] = n
        token = f"<{kind}_{n}>"
        self._by_value[key] = token
        self._by_placeholder[token] = value
        return token

    def _reserve(self, token: str) -> None:
        # A placeholder-shaped text that was in the input stands for itself, so that
        # restoring does not turn it into someone's identifier.
        if token not in self._by_placeholder:
            self._by_placeholder[token] = token

    def apply(self, text: str, entities: Iterable[Entity]) -> str:
        """Replace the given entities by placeholders (left to right, overlaps skipped)."""
        events: list[tuple[int, int, Entity | None]] = [(e.start, e.end, e) for e in entities]
        if "<" in text:
            events += [(m.start(), m.end(), None) for m in _PLACEHOLDER_RE.finditer(text)]
        out: list[str] = []
        pos = 0
        for start, end, e in sorted(events, key=lambda x: (x[0], -x[1])):
            if start < pos:
                continue
            if e is None:
                self._reserve(text[start:end])
                continue
            out.append(text[pos:start])
            out.append(self.placeholder(e.type, text[start:end]))
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def pseudonymize(self, text: str) -> str:
        """Detect identifiers in `text` and replace them by placeholders."""
        from hanji.privacy.detect import detect

        return self.apply(text, detect(text, threshold=self.threshold, types=self.types))

    def restore(self, text: str) -> str:
        """Put the original values back for every placeholder this scope knows."""
        if "<" not in text:
            return text
        return _PLACEHOLDER_RE.sub(lambda m: self._by_placeholder.get(m.group(), m.group()), text)

    def to_dict(self) -> dict[str, object]:
        """Plain-data mapping: {"version": 1, "placeholders": {"<RRN_1>": "900101-..."}}."""
        return {"version": 1, "placeholders": dict(self._by_placeholder)}

    @classmethod
    def from_dict(
        cls,
        data: dict[str, object],
        *,
        threshold: float | None = None,
        types: Iterable[str] | None = None,
    ) -> Pseudonymizer:
        if data.get("version") != 1 or not isinstance(data.get("placeholders"), dict):
            raise ValueError("not a hanji pseudonym mapping (expected version 1)")
        self = cls(threshold=threshold, types=types)
        placeholders: dict[str, str] = data["placeholders"]  # type: ignore[assignment]
        for token, value in placeholders.items():
            m = _PLACEHOLDER_PARTS.fullmatch(token)
            if m is None or not isinstance(value, str):
                raise ValueError(f"bad placeholder entry in mapping: {token!r}")
            kind, n = m.group(1), int(m.group(2))
            self._by_placeholder[token] = value
            if value != token:
                self._by_value[(kind, value)] = token
            self._counters[kind] = max(self._counters.get(kind, 0), n)
        return self

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str, **kwargs: object) -> Pseudonymizer:
        return cls.from_dict(json.loads(data), **kwargs)  # type: ignore[arg-type]
