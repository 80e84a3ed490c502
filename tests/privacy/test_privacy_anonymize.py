import pytest

from hanji.privacy import Entity, detect, hash_values, mask, mask_value, redact


def test_mask_keeps_shape(ids):
    text = f"주민등록번호 {ids['rrn']} 연락처 010-1234-5678"
    out = mask(text, detect(text))
    assert out == f"주민등록번호 {ids['rrn'][:8]}****** 연락처 010-****-5678"
    assert len(out) == len(text)


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("RRN", "900101-1234568", "900101-1******"),
        ("CARD", "4532-0151-1283-0366", "4532-****-****-0366"),
        ("PHONE", "+82 10-1234-5678", "+82 10-****-5678"),
        ("PHONE", "01012345678", "010****5678"),
        ("EMAIL", "hong@example.com", "h***@example.com"),
        ("IP", "192.168.10.20", "192.168.**.**"),
        ("PERSON", "김민준", "김*준"),
        ("PERSON", "김구", "김*"),
        ("ADDRESS", "서울특별시 강남구 테헤란로 123, 101동", "서울특별시 강남구 **** ***, ****"),
        ("ADDRESS", "역삼동 824-11", "*** ***-**"),
        ("ADDRESS", "강남구 역삼동 824-11", "강남구 *** ***-**"),
        ("DRIVER_LICENSE", "11-12-345678-90", "11-**-******-**"),
        ("BRN", "220-81-00127", "220-81-*****"),
    ],
)
def test_mask_value(kind, value, masked):
    assert mask_value(kind, value) == masked
    assert len(mask_value(kind, value)) == len(value)


def test_redact_uses_type_placeholders(ids):
    text = f"홍길동 씨 {ids['rrn']}"
    assert redact(text, detect(text)) == "<PERSON> 씨 <RRN>"


def test_hash_is_keyed_and_format_independent():
    a = "연락처 010-1234-5678"
    b = "연락처 01012345678"
    ha = hash_values(a, detect(a), b"k1")
    hb = hash_values(b, detect(b), b"k1")
    assert ha == hb and ha.startswith("연락처 <PHONE:") and "1234" not in ha
    assert hash_values(a, detect(a), b"k2") != ha
    with pytest.raises(ValueError):
        hash_values(a, detect(a), b"")


def test_overlapping_entities_are_skipped_not_merged():
    text = "abcdef"
    ents = [Entity(0, 4, "PERSON", 0.9), Entity(2, 6, "PHONE", 0.8), Entity(5, 6, "RRN", 0.5)]
    assert redact(text, ents) == "<PERSON>e<RRN>"
