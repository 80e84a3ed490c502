"""StreamGuard: for every chunking, the stream gives exactly the batch result."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanji.privacy import Pseudonymizer, StreamGuard, detect, hash_values, mask, redact
from pii_variants import variants

# Fragments that build identifiers, near-identifiers and the words around them, so that
# random concatenations hit the boundaries the guard must respect.
FRAGMENTS = [
    "010", "1234", "5678", "-", " ", ".", "02", "+82", "(02)", "900101", "1234568", "M123A4567",
    "여권", "김민준", "이서연", " 씨", " 과장님", "님", "은", "(34)", ", ", "서울특별시", "강남구",
    "테헤란로", "123", "역삼동", "번지", ", 101동 1203호", "주민등록번호", "계좌", "국민은행",
    "123456-01-234567", "hong@naver.com", "@", "a", "192.168.0.1", "fe80::1", "경기",
    "10-675689-65", "11-12-345678-90", "<RRN_1>", "<PHONE_", "1>", "예금주", "성명:", "\n", "가",
    "사업자등록번호", "220-81-00127", "4532-0151-1283-0366", "주문번호", "버전", "1.2.3",
    "2024-01-15", "(", ")", "참석자: ", "대리",
    # what the normalised view reads: Unicode digits, invisibles, other dashes and separators
    "９００１０１", "１２３４５６８", "－", "\u200b", "\u00ad", "\u2011", "\u2212", "\u00a0",
    " - ", "--", "/", "_", "\t", "-\n", "𝟗𝟎𝟎", "٠١٢", "4532", "0151", "1283", "0366",
]  # fmt: skip

texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
    st.text(max_size=60),
)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


def stream(guard: StreamGuard, chunks: list[str]) -> str:
    return "".join(guard.feed(c) for c in chunks) + guard.flush()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.lists(st.integers(min_value=0, max_value=400), max_size=30))
def test_stream_equals_batch(text, cuts):
    chunks = chunked(text, cuts)
    ents = detect(text)
    assert stream(StreamGuard("mask"), chunks) == mask(text, ents)
    assert stream(StreamGuard("redact"), chunks) == redact(text, ents)
    assert stream(StreamGuard("hash", key=b"k"), chunks) == hash_values(text, ents, b"k")
    guard = StreamGuard("pseudonymize")
    assert stream(guard, chunks) == Pseudonymizer().pseudonymize(text)


@settings(max_examples=150, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=400), max_size=30))
def test_restore_stream_equals_batch(text, cuts):
    pseudo = Pseudonymizer()
    hidden = pseudo.pseudonymize(text)
    restored = stream(StreamGuard("restore", pseudonymizer=pseudo), chunked(hidden, cuts))
    assert restored == pseudo.restore(hidden) == text


def test_placeholder_split_over_sse_chunks_is_restored():
    pseudo = Pseudonymizer()
    pseudo.pseudonymize("주민등록번호 900101-1234568")
    guard = StreamGuard("restore", pseudonymizer=pseudo)
    parts = [guard.feed(c) for c in ["확인한 번호는 <R", "RN", "_1", "> 입니다"]]
    assert parts[0] == "확인한 번호는 "  # "<R" is held back: it may start a placeholder
    assert "".join(parts) + guard.flush() == "확인한 번호는 900101-1234568 입니다"


def test_holds_only_a_possible_identifier_start():
    guard = StreamGuard("redact")
    assert guard.feed("오늘 날씨가 좋네요. 연락처는 010-12") == "오늘 날씨가 좋네요. 연락처는 "
    assert guard.feed("34-5678 입니다.") == "<PHONE> 입니다."
    assert guard.flush() == ""


def test_a_custom_transform_sees_each_released_piece():
    seen = []

    def count(text, ents):
        seen.extend(e.type for e in ents)
        return text

    guard = StreamGuard(count)
    out = stream(guard, ["이메일 hong@", "example.com, ", "전화 010-1234-", "5678"])
    assert out == "이메일 hong@example.com, 전화 010-1234-5678"
    assert seen == ["EMAIL", "PHONE"]


def test_bad_configurations():
    with pytest.raises(ValueError):
        StreamGuard("hash")
    with pytest.raises(ValueError):
        StreamGuard("restore")
    with pytest.raises(ValueError):
        StreamGuard("shred")
    with pytest.raises(ValueError):
        StreamGuard("mask", types=["SSN"])


NEWS = (
    "경남 진주시가 만 70세 이상 운전자가 운전면허를 자진 반납하면 지급하는 교통비를 올린다. "
    "면허를 반납한 고령 운전자는 지난해 412명이었다. 담당자는 정하윤 주무관(055-749-2345)이며, "
    "신청은 진주시 중앙로 123, 2층 민원실에서 받는다. 예금주 김민준, 국민은행 123456-01-234567로 "
    "입금된다.\n참석자: 김민준, 이서연, 박지호 대리"
)


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_prose_streamed_in_small_chunks(size):
    chunks = [NEWS[i : i + size] for i in range(0, len(NEWS), size)]
    assert stream(StreamGuard("redact"), chunks) == redact(NEWS, detect(NEWS))


@pytest.mark.parametrize(
    ("value", "kind"), [("900101-1234568", "RRN"), ("4532-0151-1283-0366", "CARD")]
)
@pytest.mark.parametrize("size", [1, 2, 5])
def test_every_variant_is_redacted_in_a_stream(value, kind, size):
    """The stream reads the normalised view as `detect` does: no variant gets through."""
    for variant in [value, *variants(value)]:
        text = f"고객 번호는 {variant} 입니다.\n다음 문의"
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        out = stream(StreamGuard("redact"), chunks)
        assert out == f"고객 번호는 <{kind}> 입니다.\n다음 문의", ascii(variant)
        assert stream(StreamGuard("mask"), chunks) == mask(text, detect(text)), ascii(variant)


def test_a_separator_at_a_chunk_end_waits_for_the_digits_after_it():
    guard = StreamGuard("redact")
    assert guard.feed("번호 900101 / ") == "번호 "
    assert guard.feed("1234568 끝") + guard.flush() == "<RRN> 끝"
