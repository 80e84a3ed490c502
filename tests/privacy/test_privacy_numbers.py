"""Numeric identifiers: one test per type with positives and the hard negatives around it."""

import pytest
from privacy_ids import hyphen, with_frn_check, with_luhn, with_rrn_check

from hanji.privacy import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in detect(text)]


def test_rrn_with_and_without_hyphen(ids):
    assert found(f"주민등록번호 {ids['rrn']}입니다") == [("RRN", ids["rrn"])]
    assert found(f"주민번호: {ids['rrn_plain']}") == [("RRN", ids["rrn_plain"])]
    assert found(f"신청서에 {ids['rrn']}를 적었다") == [("RRN", ids["rrn"])]


def test_rrn_issued_after_2020_without_check_digit_still_found():
    body = "210315" + "3" + "12345"
    bad = body + str((int(with_rrn_check(body)[-1]) + 3) % 10)
    assert found(f"아기 주민등록번호 {hyphen(bad, 6)}") == [("RRN", hyphen(bad, 6))]
    # without context a check digit failure costs more for hyphen-less digits
    assert found(f"값 {bad}") == []


def test_rrn_invalid_date_or_gender_is_not_an_rrn():
    assert found("번호 901301-1234567") == []  # month 13
    assert found("번호 900101-9234567") == []  # gender digit 9


def test_frn(ids):
    assert found(f"외국인등록번호 {ids['frn']}") == [("FRN", ids["frn"])]
    frn = hyphen(with_frn_check("021102712389"), 6)
    assert found(f"등록증 {frn} 확인") == [("FRN", frn)]


def test_crn_and_brn(ids):
    assert found(f"법인등록번호 {ids['crn']}") == [("CRN", ids["crn"])]
    assert found(f"사업자등록번호 {ids['brn']}") == [("BRN", ids["brn"])]
    assert found(f"거래처 {ids['brn']}") == [("BRN", ids["brn"])]
    bad = ids["brn"][:-1] + str((int(ids["brn"][-1]) + 1) % 10)
    assert found(f"사업자등록번호 {bad}") == []


def test_cards(ids):
    assert found(f"카드 {ids['card']}") == [("CARD", ids["card"])]
    spaced = ids["card"].replace("-", " ")
    assert found(f"결제 {spaced} 승인") == [("CARD", spaced)]
    amex = with_luhn("37828224631000")
    amex = f"{amex[:4]}-{amex[4:10]}-{amex[10:]}"
    assert found(f"아멕스 {amex}") == [("CARD", amex)]
    assert found(f"카드 {ids['card_bad']}") == []  # Luhn fails


@pytest.mark.parametrize(
    "value",
    ["010-1234-5678", "010 1234 5678", "010.1234.5678", "01012345678", "02-2345-6789",
     "031-234-5678", "070-1234-5678", "+82 10-1234-5678", "+82-2-2345-6789", "(02) 2345-6789",
     "0505-123-4567", "011-234-5678"],
)  # fmt: skip
def test_phones(value):
    assert found(f"연락처 {value}로 주세요") == [("PHONE", value)]


@pytest.mark.parametrize(
    "text",
    ["대표번호 1588-1234로 문의", "무료 상담 080-123-4567", "1577-0000 콜센터", "ARS 060-700-1234"],
)
def test_representative_tollfree_and_premium_numbers_are_not_personal(text):
    assert [t for t, _ in found(text) if t == "PHONE"] == []


@pytest.mark.parametrize(
    "value",
    [
        "123456-01-234567",
        "110-123-456789",
        "1002-123-456789",
        "3333-01-1234567",
        "302-1234-5678-91",
    ],
)
def test_accounts_need_banking_context(value):
    assert found(f"국민은행 계좌 {value}") == [("ACCOUNT", value)]
    assert ("ACCOUNT", value) in found(f"예금주 홍길동 {value}")
    assert found(f"번호 {value} 참고") == []


def test_driver_licences():
    assert found("운전면허번호 11-12-345678-90") == [("DRIVER_LICENSE", "11-12-345678-90")]
    assert found("면허 서울 12-345678-90 확인") == [("DRIVER_LICENSE", "서울 12-345678-90")]
    assert found("번호 99-12-345678-90") == []  # no such region code


def test_ipv4():
    assert found("접속 IP 192.168.0.12에서") == [("IP", "192.168.0.12")]
    assert found("서버 203.0.113.45 점검") == [("IP", "203.0.113.45")]
    assert found("값 256.1.1.1") == []
    assert found("섹션 1.2.3.4 참조") == []


def test_short_ipv4_addresses():
    # Fewer than 7 digits: still an address, which context makes certain.
    assert found("ip 10.0.0.1 차단") == [("IP", "10.0.0.1")]
    assert found("게이트웨이 10.0.0.1") == [("IP", "10.0.0.1")]
    assert found("접속 IP 8.8.8.8") == [("IP", "8.8.8.8")]
    assert found("1.10.2.3절 참조") == []
    assert found("버전 10.0.0.1 배포") == []


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15에 만나요",
        "2024.01.15 기준",
        "20240115 배송",
        "금액은 1,234,567원입니다",
        "주문번호 2024011512345678 확인",
        "주문번호 4111111111111111 결제",
        "버전 1.12.0 배포",
        "v2.3.4.5 릴리스",
        "우편번호 06236",
        "운송장번호 6012-3456-7890",
        "사건번호 2023가합12345",
        "12가 3456 차량",
        "학번 2019123456",
        "시각 14:30:15",
    ],
)
def test_hard_negatives(text):
    assert found(text) == []


def test_barcodes_and_isbn(ids):
    assert found(f"바코드 {ids['barcode']}") == []
    assert found(f"상품 {ids['barcode']} 재고") == []
    assert found(f"ISBN {ids['isbn']}") == []
    isbn = ids["isbn"]
    assert found(f"도서 {isbn[:3]}-{isbn[3:5]}-{isbn[5:9]}-{isbn[9:12]}-{isbn[12]}") == []


def test_number_runs_split_at_spaces():
    assert found("2024-01-15 010-1234-5678 연락") == [("PHONE", "010-1234-5678")]


def test_negative_context_only_weakens_strong_formats():
    # a mobile number next to a delivery word is still a mobile number
    assert found("택배 기사님 010-2345-6789") == [("PHONE", "010-2345-6789")]


def test_nothing_found_before_the_start_it_was_asked_from():
    """`start` splits released text from new text (StreamGuard): no entity may begin before it."""
    import json
    from pathlib import Path

    from hanji.privacy.numbers import find_numbers

    lines = Path(__file__).parents[1] / "data" / "pii_eval.jsonl"
    texts = [json.loads(x)["text"] for x in lines.read_text("utf-8").splitlines() if x.strip()]
    texts.append("면허 서울 12 345678 90 그리고 010 1234 5678")
    for text in texts:
        for start in range(0, len(text), 3):
            assert all(e.start >= start for e in find_numbers(text, start)), (text, start)


def test_digits_read_out_in_a_transcript_are_a_phone_number():
    text = "고객: 어 공일공 칠사이일 팔팔삼오 맞아요"
    assert found(text) == [("PHONE", "공일공 칠사이일 팔팔삼오")]
    # 영 for zero, and the particle 이 after the last digit stays outside the number
    spoken = "영일영 구칠팔이 공일이이"
    assert found(f"제 번호가 {spoken}이에요") == [("PHONE", spoken)]
    # words made of digit syllables are not numbers
    assert found("이 사람이 오늘 일이 많아 삼삼오오 모였다") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "연락처요? 공일공에 하나둘셋넷 다섯여섯일곱여덟이요",
            "공일공에 하나둘셋넷 다섯여섯일곱여덟",
        ),
        (
            "전화번호 공일공 하나 둘 셋 넷 다섯 여섯 일곱 여덟",
            "공일공 하나 둘 셋 넷 다섯 여섯 일곱 여덟",
        ),
        ("연락처 공일공에 칠사이일에 팔팔삼오 입니다", "공일공에 칠사이일에 팔팔삼오"),
    ],
)
def test_native_numerals_and_joining_particles_read_out_after_a_context_word(text, value):
    assert found(text) == [("PHONE", value)]


@pytest.mark.parametrize(
    "text",
    [
        "하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 세고 들어가",  # counting, no context word
        "둘이서 셋이 넷이 다섯 명이 왔다",
        "주문번호 공일공 하나 둘 셋 넷 다섯 여섯 일곱 여덟",  # a negative context word
    ],
)
def test_counting_in_native_numerals_is_no_number(text):
    assert found(text) == []


def test_space_grouped_account_needs_its_context_word():
    assert found("계좌는 110 482 339017 이고요") == [("ACCOUNT", "110 482 339017")]
    assert found("참가 인원 110 482 339017 명") == []


def test_rrn_with_dot_or_spaced_dash(ids):
    dotted = ids["rrn"].replace("-", ".")
    assert found(f"주민번호 {dotted} 로 조회가 안 돼요") == [("RRN", dotted)]
    spaced = ids["rrn"].replace("-", " - ")
    assert found(f"주민번호 {spaced}") == [("RRN", spaced)]


def test_a_forms_placeholder_is_not_a_number():
    assert found("법인등록번호 란에는 000000-0000000 형식으로 적습니다.") == []
    assert found("주민등록번호: 000000-0000000 (예시)") == []
