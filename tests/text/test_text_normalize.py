import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from hanji.text import normalize


def test_nfc_and_conjoining_jamo_become_syllables():
    decomposed = unicodedata.normalize("NFD", "한국어")
    assert decomposed != "한국어"
    assert normalize(decomposed) == "한국어"
    # an initial + a vowel + a final written as conjoining jamo
    assert normalize("\u1112\u1161\u11ab\u1100\u1173\u11af") == "한글"


def test_stray_conjoining_jamo_become_compatibility_jamo():
    assert normalize("\u1100 \u1161") == "ㄱ ㅏ"


def test_compatibility_jamo_are_left_alone():
    assert normalize("ㅋㅋㅋ 진짜 ㅎㅎ") == "ㅋㅋㅋ 진짜 ㅎㅎ"


def test_zero_width_and_controls_removed_newlines_and_tabs_kept():
    text = "주\u200b민\ufeff등록\u00ad번호\x07\t값\n다음 줄"
    assert normalize(text) == "주민등록번호\t값\n다음 줄"


def test_hangul_filler_removed():
    assert normalize("김\u3164민준") == "김민준"


def test_line_endings_and_spaces_unified():
    text = "첫 줄\r\n둘째\u3000줄\r셋째\u00a0\u00a0줄  \n\n\n\n넷째 줄"
    assert normalize(text) == "첫 줄\n둘째 줄\n셋째 줄\n\n넷째 줄"


def test_fullwidth_only_on_request():
    text = "ＡＢＣ１２３！"
    assert normalize(text) == text
    assert normalize(text, fullwidth=True) == "ABC123!"


def test_zwj_kept_for_emoji_sequences():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert normalize(family) == family


_PIECES = st.sampled_from(
    ["한", "\u1100", "\u1161", "\u11a8", "\u200b", " ", "  ", "\n", "\r\n", "\r", "\t", "ＡＢ",
     "\u3000", "e\u0301", "ㄱ", "\ufeff", "\u00a0", "가", "\x00", "\u2028"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=30).map("".join)), st.booleans())
def test_idempotent(text: str, fullwidth: bool):
    once = normalize(text, fullwidth=fullwidth)
    assert normalize(once, fullwidth=fullwidth) == once
    assert unicodedata.is_normalized("NFC", once)
