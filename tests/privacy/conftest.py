"""Shared fixtures: a few fictional identifiers with valid check digits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test modules here import their helpers as `privacy_ids`, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

from privacy_ids import (
    hyphen,
    with_brn_check,
    with_crn_check,
    with_ean,
    with_frn_check,
    with_luhn,
    with_rrn_check,
)


@pytest.fixture
def ids() -> dict[str, str]:
    rrn = with_rrn_check("900101123456")
    frn = with_frn_check("850315512367")  # registration office 12 (even), type digit 7
    card = with_luhn("453201511283036")
    bad_card = card[:-1] + str((int(card[-1]) + 1) % 10)
    return {
        "rrn": hyphen(rrn, 6),
        "rrn_plain": rrn,
        "frn": hyphen(frn, 6),
        "brn": hyphen(with_brn_check("220810012"), 3, 5),
        "crn": hyphen(with_crn_check("110111234567"), 6),
        "card": hyphen(card, 4, 8, 12),
        "card_bad": hyphen(bad_card, 4, 8, 12),
        "barcode": with_ean("880123456789"),
        "isbn": with_ean("978893456789"),
    }
