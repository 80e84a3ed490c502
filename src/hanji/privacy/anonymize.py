"""Anonymisers: what replaces an identifier once it is found.

`mask` keeps the shape (900101-1******) so that a reader still sees what kind of value
stood there; `redact` leaves only the type (<RRN>); `hash_values` replaces each value by
a keyed HMAC so that equal values stay joinable across documents without being readable.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable

from hanji.privacy.types import Entity
from hanji.privacy.view import normalized_view

__all__ = ["canonical_value", "hash_values", "mask", "mask_value", "redact", "replace_entities"]

_ALNUM = re.compile(r"[^\W_]")  # letters and digits of any script: full-width too
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"[0-9A-Za-z가-힣]")
_REGION_WORD = re.compile(
    r"[가-힣]{1,7}(?:시|도|군|구)|서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
)
# How many letters/digits stay visible at the start of a masked value.
_KEEP_HEAD = {"RRN": 7, "FRN": 7, "CRN": 6, "BRN": 5, "ACCOUNT": 3, "PASSPORT": 1}


def replace_entities(
    text: str, entities: Iterable[Entity], fn: Callable[[Entity, str], str]
) -> str:
    """Rebuild `text` with each entity's span replaced by `fn(entity, value)`.

    Entities are taken in order of start; one that overlaps an earlier one is skipped.
    """
    out: list[str] = []
    pos = 0
    for e in sorted(entities, key=lambda x: (x.start, -x.end)):
        if e.start < pos or e.end > len(text):
            continue
        out.append(text[pos : e.start])
        out.append(fn(e, text[e.start : e.end]))
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def _mask_alnum(value: str, head: int, tail: int = 0) -> str:
    """Star every letter/digit except the first `head` and last `tail`; separators stay."""
    positions = [m.start() for m in _ALNUM.finditer(value)]
    hide = set(positions[head : len(positions) - tail if tail else len(positions)])
    return "".join("*" if i in hide else ch for i, ch in enumerate(value))


def mask_value(kind: str, value: str) -> str:
    """The shape-preserving mask of one value (same length as `value`)."""
    if kind in _KEEP_HEAD:
        return _mask_alnum(value, _KEEP_HEAD[kind])
    if kind == "CARD":
        return _mask_alnum(value, 4, 4)
    if kind == "PHONE":
        digits = _ALNUM.findall(value)
        groups = re.findall(r"[0-9]+", value)
        head = len(groups[0]) if len(groups) > 1 else 3
        if value.startswith("+") and len(groups) > 2:
            head += len(groups[1])
        return _mask_alnum(value, min(head, len(digits) - 4), 4)
    if kind == "DRIVER_LICENSE":
        return _mask_alnum(value, 2)
    if kind == "EMAIL":
        local, _, domain = value.partition("@")
        return local[:1] + "*" * (len(local) - 1) + "@" + domain
    if kind == "IP":
        if "." in value:
            parts = value.split(".")
            return ".".join(parts[:2] + ["*" * len(p) for p in parts[2:]])
        first, _, rest = value.partition(":")
        return first + ":" + re.sub(r"[0-9A-Fa-f]", "*", rest)
    if kind == "ADDRESS":
        # The region (up to two leading 시/도/군/구 words) stays; a partial address that
        # starts at its 동/리 keeps nothing.
        words = value.split(" ")
        keep = 0
        while keep < min(2, len(words) - 1) and _REGION_WORD.fullmatch(words[keep]):
            keep += 1
        return " ".join(words[:keep] + [_WORD_CHAR.sub("*", w) for w in words[keep:]])
    if kind == "PERSON":
        if len(value) <= 2:
            return value[:1] + "*" * (len(value) - 1)
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return "*" * len(value)


def mask(text: str, entities: Iterable[Entity]) -> str:
    """Replace each entity by its shape-preserving mask (offsets of the text do not move)."""
    return replace_entities(text, entities, lambda e, v: mask_value(e.type, v))


def redact(text: str, entities: Iterable[Entity]) -> str:
    """Replace each entity by its type in angle brackets: <RRN>, <PHONE>, <PERSON>."""
    return replace_entities(text, entities, lambda e, _v: f"<{e.type}>")


def canonical_value(kind: str, value: str) -> str:
    """One spelling per value, so that 010-1234-5678 and 01012345678 hash alike (and
    ０１０－１２３４－５６７８ too: the value is read through the detection view first)."""
    value = normalized_view(value)[0]
    if kind == "EMAIL":
        return value.lower()
    if kind == "IP":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value.lower()
    if kind in ("ADDRESS", "PERSON"):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if kind == "PHONE":
        digits = _NON_ALNUM.sub("", value)
        if value.startswith("+82"):
            digits = digits[2:]
            digits = digits if digits.startswith("0") else "0" + digits
        return digits
    if kind == "DRIVER_LICENSE":
        return _SPACES.sub("", value)
    return _NON_ALNUM.sub("", value).upper()


def hash_values(text: str, entities: Iterable[Entity], key: bytes) -> str:
    """Replace each entity by <TYPE:hex>, a keyed HMAC-SHA256 of its canonical value.

    Without the key the hashes cannot be reversed by enumerating the (small) space of
    phone or resident numbers; with the same key, equal values give equal hashes.
    """
    if not key:
        raise ValueError("hash_values needs a non-empty key")

    def fn(e: Entity, v: str) -> str:
        msg = f"{e.type}\x00{canonical_value(e.type, v)}".encode()
        return f"<{e.type}:{hmac.new(key, msg, hashlib.sha256).hexdigest()[:16]}>"

    return replace_entities(text, entities, fn)
