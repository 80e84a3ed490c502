"""Fictional identifiers with valid check digits, computed here independently of hanji."""

from __future__ import annotations


def rrn_check(body12: str, offset: int = 11) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    return str((offset - sum(w * int(c) for w, c in zip(weights, body12, strict=False)) % 11) % 10)


def with_rrn_check(body12: str) -> str:
    return body12 + rrn_check(body12)


def with_frn_check(body12: str) -> str:
    return body12 + rrn_check(body12, offset=13)


def with_brn_check(body9: str) -> str:
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(w * int(c) for w, c in zip(weights, body9, strict=False)) + int(body9[8]) * 5 // 10
    return body9 + str((10 - total % 10) % 10)


def with_crn_check(body12: str) -> str:
    total = sum(int(c) * (2 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def with_luhn(body: str) -> str:
    for d in "0123456789":
        s = 0
        for i, c in enumerate(reversed(body + d)):
            v = int(c) * (2 if i % 2 else 1)
            s += v - 9 if v > 9 else v
        if s % 10 == 0:
            return body + d
    raise AssertionError


def with_ean(body12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def hyphen(v: str, *cuts: int) -> str:
    parts, last = [], 0
    for c in cuts:
        parts.append(v[last:c])
        last = c
    parts.append(v[last:])
    return "-".join(parts)
