from privacy_ids import (
    with_brn_check,
    with_crn_check,
    with_ean,
    with_frn_check,
    with_luhn,
    with_rrn_check,
)

from hanji.privacy.validators import (
    brn_checksum_ok,
    crn_checksum_ok,
    ean13_ok,
    frn_checksum_ok,
    luhn_ok,
    resident_birth_ok,
    rrn_checksum_ok,
)


def _bump(v: str) -> str:
    return v[:-1] + str((int(v[-1]) + 1) % 10)


def test_rrn_and_frn_check_digits():
    rrn = with_rrn_check("900101123456")
    assert rrn_checksum_ok(rrn) and not rrn_checksum_ok(_bump(rrn))
    frn = with_frn_check("850315512367")
    assert frn_checksum_ok(frn) and not frn_checksum_ok(_bump(frn))
    assert not rrn_checksum_ok(frn)  # the two schemes differ by two


def test_birth_dates_follow_the_century_digit():
    assert resident_birth_ok("9001011000000")  # 1990-01-01, man born in the 1900s
    assert resident_birth_ok("0402294000000")  # 2004-02-29, leap year
    assert not resident_birth_ok("0302294000000")  # 2003 has no 29 February
    assert not resident_birth_ok("9013011000000")  # month 13
    assert not resident_birth_ok("9904313000000")  # 2099 lies in the future
    assert not resident_birth_ok("9001019000000")  # 9: born in the 1800s, not accepted
    assert resident_birth_ok("8503155000000")  # foreigner, 1985


def test_business_and_corporate_numbers():
    brn = with_brn_check("220810012")
    assert brn_checksum_ok(brn) and not brn_checksum_ok(_bump(brn))
    crn = with_crn_check("110111234567")
    assert crn_checksum_ok(crn) and not crn_checksum_ok(_bump(crn))


def test_luhn_and_ean():
    card = with_luhn("453201511283036")
    assert luhn_ok(card) and not luhn_ok(_bump(card))
    assert luhn_ok("4111111111111111")
    code = with_ean("880123456789")
    assert ean13_ok(code) and not ean13_ok(_bump(code))
