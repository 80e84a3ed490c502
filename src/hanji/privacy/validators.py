"""Check digits and structural checks of Korean identifiers (pure functions on digit strings).

A failing check digit is evidence, not a verdict, for resident numbers: numbers issued
since October 2020 end in a random digit. The other formats keep their check digits.
"""

from __future__ import annotations

import datetime as _dt
from operator import mul

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
_CRN_WEIGHTS = (1, 2) * 6
# Century of birth from the 7th digit of a resident or foreigner registration number.
_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000}
_THIS_YEAR = _dt.date.today().year
# b"0".."9" -> 0..9, and the Luhn doubling 0..9 -> 0 2 4 6 8 1 3 5 7 9.
_VALUE_OF = bytes.maketrans(b"0123456789", bytes(range(10)))
_LUHN_DOUBLE = bytes.maketrans(bytes(range(10)), bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))


def _values(digits: str) -> bytes:
    """The digits as small integers, converted in one C call instead of one int() each."""
    if digits.isascii() and digits.isdigit():
        return digits.encode().translate(_VALUE_OF)
    return bytes(int(d) for d in digits)  # other Unicode digits, or the usual ValueError


def resident_birth_ok(digits: str) -> bool:
    """YYMMDD is a real date in the century the 7th digit implies, and not in the future."""
    century = _CENTURY.get(digits[6])
    if century is None:
        return False
    v = _values(digits[:6])
    year = century + v[0] * 10 + v[1]
    month, day = v[2] * 10 + v[3], v[4] * 10 + v[5]
    if year > _THIS_YEAR or not 1 <= month <= 12 or day < 1:
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


def rrn_checksum_ok(digits: str) -> bool:
    """Resident registration number (13 digits): mod-11 check digit of the pre-2020 scheme."""
    v = _values(digits)
    return (11 - sum(map(mul, v, _RRN_WEIGHTS)) % 11) % 10 == v[12]


def frn_checksum_ok(digits: str) -> bool:
    """Foreigner registration number (13 digits): the resident scheme shifted by two."""
    v = _values(digits)
    return (13 - sum(map(mul, v, _RRN_WEIGHTS)) % 11) % 10 == v[12]


def brn_checksum_ok(digits: str) -> bool:
    """Business registration number (10 digits), National Tax Service check digit."""
    v = _values(digits)
    total = sum(map(mul, v, _BRN_WEIGHTS)) + v[8] * 5 // 10
    return (10 - total % 10) % 10 == v[9]


def crn_checksum_ok(digits: str) -> bool:
    """Corporate registration number (13 digits): weights 1,2,1,2,... mod 10."""
    v = _values(digits)
    return (10 - sum(map(mul, v, _CRN_WEIGHTS)) % 10) % 10 == v[12]


def luhn_ok(digits: str) -> bool:
    """Payment card numbers (ISO/IEC 7812) end in a Luhn check digit."""
    v = _values(digits)[::-1]
    return (sum(v[0::2]) + sum(v[1::2].translate(_LUHN_DOUBLE))) % 10 == 0


def ean13_ok(digits: str) -> bool:
    """EAN-13 barcodes (and ISBN-13): weights 1,3,1,3,... mod 10."""
    v = _values(digits)
    return (10 - (sum(v[0:12:2]) + 3 * sum(v[1:12:2])) % 10) % 10 == v[12]
