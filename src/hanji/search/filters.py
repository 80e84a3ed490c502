"""OpenAI's attribute filters: comparisons (eq, ne, gt, gte, lt, lte, in, nin) and and/or."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
    "nin": lambda a, b: a not in b,
}


def check_filter(spec: Mapping[str, Any], path: str = "filters") -> None:
    """Raise `ValueError` naming the part of ``spec`` that is not a filter."""
    kind = spec.get("type")
    if kind in ("and", "or"):
        parts = spec.get("filters")
        if not isinstance(parts, list) or not parts:
            raise ValueError(f"{path}.filters: a compound filter needs a list of filters")
        for i, part in enumerate(parts):
            if not isinstance(part, Mapping):
                raise ValueError(f"{path}.filters[{i}]: not a filter object")
            check_filter(part, f"{path}.filters[{i}]")
    elif kind in _COMPARE:
        if not isinstance(spec.get("key"), str):
            raise ValueError(f"{path}.key: a comparison needs an attribute key")
        if "value" not in spec:
            raise ValueError(f"{path}.value: a comparison needs a value")
        if kind in ("in", "nin") and not isinstance(spec["value"], list):
            raise ValueError(f"{path}.value: '{kind}' compares with a list")
    else:
        raise ValueError(f"{path}.type: one of and, or, {', '.join(_COMPARE)}")


def matches(spec: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    """Whether a file's attributes pass a (checked) filter; a missing key never matches."""
    kind = spec["type"]
    if kind == "and":
        return all(matches(part, attributes) for part in spec["filters"])
    if kind == "or":
        return any(matches(part, attributes) for part in spec["filters"])
    key = spec["key"]
    if key not in attributes:
        return False
    try:
        return bool(_COMPARE[kind](attributes[key], spec["value"]))
    except TypeError:  # "3" > 2: values of different types never match
        return False
