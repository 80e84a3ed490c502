"""Check digits and structural checks of Korean identifiers (pure functions on digit strings).

A failing check digit is evidence, not a verdict, for resident numbers: numbers issued
since October 2020 end in a random digit. The other formats keep their check digits.
"""

from __future__ import annotations

import datetime as _dt

__all__ = [
    "brn_checksum_ok",
    "crn_checksum_ok",
    "ean13_ok",
    "frn_checksum_ok",
    "luhn_ok",
    "resident_birth_ok",
    "rrn_checksum_ok",
]

_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
# Century of birth from the 7th digit of a resident or foreigner registration number.
_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000}
_THIS_YEAR = _dt.date.today().year


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def resident_birth_ok(digits: str) -> bool:
    """YYMMDD is a real date in the century the 7th digit implies, and not in the future."""
    century = _CENTURY.get(digits[6])
    if century is None:
        return False
    year = century + int(digits[0:2])
    month, day = int(digits[2:4]), int(digits[4:6])
    if year > _THIS_YEAR or not 1 <= month <= 12 or day < 1:
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


def rrn_checksum_ok(digits: str) -> bool:
    """Resident registration number (13 digits): mod-11 check digit of the pre-2020 scheme."""
    return (11 - _weighted(digits, _RRN_WEIGHTS) % 11) % 10 == int(digits[12])


def frn_checksum_ok(digits: str) -> bool:
    """Foreigner registration number (13 digits): the resident scheme shifted by two."""
    return (13 - _weighted(digits, _RRN_WEIGHTS) % 11) % 10 == int(digits[12])


def brn_checksum_ok(digits: str) -> bool:
    """Business registration number (10 digits), National Tax Service check digit."""
    total = _weighted(digits, _BRN_WEIGHTS) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def crn_checksum_ok(digits: str) -> bool:
    """Corporate registration number (13 digits): weights 1,2,1,2,... mod 10."""
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def luhn_ok(digits: str) -> bool:
    """Payment card numbers (ISO/IEC 7812) end in a Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def ean13_ok(digits: str) -> bool:
    """EAN-13 barcodes (and ISBN-13): weights 1,3,1,3,... mod 10."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])
