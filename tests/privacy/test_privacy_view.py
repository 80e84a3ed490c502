"""The attack matrix: identifiers written to slip past the recognisers are still found,
at their original offsets, and ordinary numbers stay untouched."""

from __future__ import annotations

import pytest

from hanji.privacy import Pseudonymizer, detect, mask
from hanji.privacy.view import normalized_view
from pii_variants import FULL, RRN, variants


@pytest.mark.parametrize("variant", variants(RRN), ids=repr)
def test_every_rrn_variant_is_found_where_it_stands(variant: str) -> None:
    text = f"고객 주민번호는 {variant} 입니다."
    found = detect(text)
    assert [(e.type, text[e.start : e.end]) for e in found] == [("RRN", variant)]
    masked = mask(text, found)
    assert len(masked) == len(text) and "*" in masked
    assert "1234568" not in normalized_view(masked)[0]


@pytest.mark.parametrize(
    ("kind", "value", "cue"),
    [("CARD", "4111-1111-1111-1111", "카드번호"), ("ACCOUNT", "110-482-339017", "입금 계좌")],
)
def test_cards_and_accounts_in_full_width_or_with_invisibles(
    kind: str, value: str, cue: str
) -> None:
    for variant in (value.translate(FULL), value.replace("-", "\u200b-", 1)):
        text = f"{cue} {variant} 확인 바랍니다"
        assert [(e.type, text[e.start : e.end]) for e in detect(text)] == [(kind, variant)]


@pytest.mark.parametrize(
    "variant",
    ["4532 0151-1283-0366", "4532-0151 1283 0366", "4532.0151.1283.0366", "900101 -1234568"],
)
def test_mixed_or_dotted_separators_still_read_as_a_card_or_rrn(variant: str) -> None:
    """A card (Luhn) or resident number (date + check digit) carries its own proof, so a
    mix of separators, or dots, does not hide it."""
    text = f"번호 {variant} 입니다"
    found = [(e.type, text[e.start : e.end]) for e in detect(text)]
    assert found == [("RRN" if variant.startswith("9001") else "CARD", variant)]


def test_pseudonyms_replace_the_original_span_and_restore_it() -> None:
    variant = RRN.translate(FULL)
    text = f"주민번호 {variant} 조회"
    pseudo = Pseudonymizer()
    sent = pseudo.apply(text, detect(text))
    assert sent == "주민번호 <RRN_1> 조회"
    assert pseudo.restore(sent) == text


@pytest.mark.parametrize(
    "text",
    [
        "회의는 2024/01/15 오후 3시, 장소는 3층입니다.",
        "주문번호 2024-0115-7731, 결제 금액 12,900원",
        "1 - 2 = -1 이고 3/4 은 0.75 입니다.",
        "file_2024_01_15.csv 를 올렸습니다.",
        "가격은 ４５,０００원입니다.",
    ],
)
def test_ordinary_numbers_stay_untouched(text: str) -> None:
    assert detect(text) == []


def test_the_view_maps_every_character_back() -> None:
    text = "번호 ９００１０１\u200b－１２３４５６８\n끝 123 - 456"
    view, index = normalized_view(text)
    assert view == "번호 900101-1234568\n끝 123-456"
    assert index is not None and len(index) == len(view)
    assert all(text[i] == v or v in "-0123456789 " for i, v in zip(index, view, strict=True))
    assert normalized_view("평범한 한국어 문장입니다.") == ("평범한 한국어 문장입니다.", None)


def test_a_cidr_mask_is_not_read_as_part_of_the_address() -> None:
    text = "방화벽 규칙에 85.188.97.49/32를 추가했습니다"
    assert [(e.type, text[e.start : e.end]) for e in detect(text)] == [("IP", "85.188.97.49")]
