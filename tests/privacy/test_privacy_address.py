"""Addresses run to their end (building, 동/호, 층); partial lot addresses count."""

from hanji.privacy import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in detect(text)]


def test_an_address_runs_to_its_building_and_unit():
    addr = "부산 해운대구 우동 1408 센텀파크 102동 3303호"
    assert found(f"주소는 {addr}입니다") == [("ADDRESS", addr)]
    addr = "서울특별시 강남구 테헤란로 8 센텀파크 2층"
    assert found(f"저는 {addr}에 사는 주민인데요") == [("ADDRESS", addr)]
    addr = "서울 강남구 테헤란로 123 래미안아파트"
    assert found(f"{addr}에서 만나요") == [("ADDRESS", addr)]


def test_a_building_word_without_a_unit_is_not_taken():
    assert found("서울 강남구 테헤란로 123 앞에서 만나요") == [
        ("ADDRESS", "서울 강남구 테헤란로 123")
    ]
    assert found("서울 강남구 테헤란로 123 래미안아파트단지") == [
        ("ADDRESS", "서울 강남구 테헤란로 123")
    ]


def test_partial_lot_address():
    assert found("역삼동 824-11 근처 가로등이 고장났어요") == [("ADDRESS", "역삼동 824-11")]
    assert found("우동 1408 센텀파크 102동 3303호") == [
        ("ADDRESS", "우동 1408 센텀파크 102동 3303호")
    ]


def test_nouns_ending_in_dong_or_ri_are_no_place():
    assert found("활동 2024-01 보고서") == []
    assert found("처리 12-3 건") == []
    assert found("역삼동 824 근처") == []  # a bare lot number needs a sub-number or a unit
