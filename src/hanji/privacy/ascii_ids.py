"""Identifiers written in ASCII letters: e-mail addresses, passports, IPv6 addresses.

Each scan only runs when a cheap test says it could match ("@" for e-mail, a first
passport-shaped match, "::"-style colons for IPv6), so Korean prose pays almost nothing.
"""

from __future__ import annotations

import ipaddress
import re

from hanji.privacy.context import NEGATIVE, nearest_keyword
from hanji.privacy.types import Entity, Spans, new_entity

__all__ = ["ASCII_HOLD", "find_emails", "find_ipv6", "find_passports"]

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    r"[A-Za-z0-9_%+\-](?<![A-Za-z0-9._%+\-].)[A-Za-z0-9._%+\-]{0,63}"
    rf"@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)
# Korean passports: one letter and 8 digits (to 2021), or letter, 3 digits, letter,
# 4 digits (since December 2021). M: multiple, S: single, R: residence, O/D/G: official.
PASSPORT_PATTERN = (
    r"[A-Z](?<![A-Za-z0-9_].)(?:[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![A-Za-z0-9_]|-[0-9])"
)
IPV6_PATTERN = (
    r"[0-9A-Fa-f:](?<![0-9A-Za-z_:.].)[0-9A-Fa-f]{0,3}:[0-9A-Fa-f:]{1,37}(?![0-9A-Za-z_:])"
)

# The stream guard holds an ASCII word while it could still grow into one of these: an
# e-mail from its first character, an IPv6 address from its first group, a passport.
ASCII_HOLD = (
    r"[A-Za-z0-9_%+\-](?<![A-Za-z0-9._%+\-].)[A-Za-z0-9._%+\-]{0,63}(?:@[A-Za-z0-9.\-]{0,200})?"
    r"(?s:.)?"
    r"|[0-9A-Fa-f:](?<![0-9A-Za-z_:.].)[0-9A-Fa-f:]{0,39}(?s:.)?"
    r"|[A-Z](?<![A-Za-z0-9_].)(?:[0-9]{0,8}|[0-9]{3}[A-Z][0-9]{0,4})-?(?s:.)?"
)

_EMAIL_RE = re.compile(EMAIL_PATTERN)
_PASSPORT_RE = re.compile(PASSPORT_PATTERN)
_IPV6_RE = re.compile(IPV6_PATTERN)
_PASSPORT_LETTERS = frozenset("MSRODG")


def find_emails(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    if "@" not in text:
        return []
    out = []
    for m in _EMAIL_RE.finditer(text, start):
        if spans is not None:
            spans.append(m.span())
        score = 0.95 if nearest_keyword(text, m.start()) != NEGATIVE else 0.5
        out.append(new_entity(m.start(), m.end(), "EMAIL", score, m.group()))
    return out


def find_passports(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    first = _PASSPORT_RE.search(text, start)  # cheaper than a finditer when none is there
    if first is None:
        return []
    out = []
    for m in _PASSPORT_RE.finditer(text, first.start()):
        if spans is not None:
            spans.append(m.span())
        value = m.group()
        new_format = value[4].isalpha()
        if value[0] in _PASSPORT_LETTERS:
            score = 0.6 if new_format else 0.4
        else:
            score = 0.25 if new_format else 0.15
        keyword = nearest_keyword(text, m.start())
        if keyword == "PASSPORT":
            score += 0.45
        elif keyword == NEGATIVE:
            score -= 0.45
        if score > 0:
            score = round(min(score, 0.99), 3)
            out.append(new_entity(m.start(), m.end(), "PASSPORT", score, value))
    return out


def find_ipv6(text: str, start: int = 0, spans: Spans | None = None) -> list[Entity]:
    if ":" not in text or ("::" not in text and text.count(":") < 7):
        return []
    out = []
    for m in _IPV6_RE.finditer(text, start):
        if spans is not None:
            spans.append(m.span())
        value = m.group()
        colons = value.count(":")
        if colons < 2 or ("::" not in value and colons != 7):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        if sum(c != ":" for c in value) < 2:
            continue
        score = 0.85 if nearest_keyword(text, m.start()) != NEGATIVE else 0.4
        out.append(new_entity(m.start(), m.end(), "IP", score, value))
    return out
