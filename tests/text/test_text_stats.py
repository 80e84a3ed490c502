import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanji.text import ScriptStats, script_stats


def test_counts_each_script():
    s = script_stats("한국어 abc 123 ㅋㅋ 漢字, 😀")
    assert (s.hangul, s.jamo, s.hanja, s.latin, s.digit) == (3, 2, 2, 3, 3)
    assert s.punct == 1  # the comma
    assert s.space == 5
    assert s.other == 1  # the emoji
    assert s.total == len("한국어 abc 123 ㅋㅋ 漢字, 😀")


def test_ratios():
    s = script_stats("가나다ab")
    assert s.hangul_ratio == pytest.approx(0.6)
    assert s.latin_ratio == pytest.approx(0.4)
    assert s.korean_ratio == pytest.approx(0.6)


def test_empty_text():
    s = script_stats("")
    assert s == ScriptStats()
    assert s.total == 0
    assert s.hangul_ratio == 0.0


def test_astral_hanja_and_surrogates():
    s = script_stats("𠀀\ud800")  # CJK extension B, and a lone surrogate
    assert s.hanja == 1
    assert s.total == 2


def _reference(text: str) -> ScriptStats:
    """Slow per-character classification the fast table must agree with."""
    counts = dict.fromkeys(
        ("hangul", "jamo", "hanja", "latin", "digit", "punct", "space", "other"), 0
    )
    for ch in text:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if 0xAC00 <= cp <= 0xD7A3:
            key = "hangul"
        elif 0x1100 <= cp <= 0x11FF or 0x3131 <= cp <= 0x318E or 0xA960 <= cp <= 0xA97F \
                or 0xD7B0 <= cp <= 0xD7FF or 0xFFA0 <= cp <= 0xFFDC:  # fmt: skip
            key = "jamo"
        elif 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF \
                or 0x20000 <= cp <= 0x3134F:  # fmt: skip
            key = "hanja"
        elif "0" <= ch <= "9" or 0xFF10 <= cp <= 0xFF19:
            key = "digit"
        elif ("a" <= ch.lower() <= "z" and ch.isascii()) or (
            cp < 0x10000 and cat.startswith("L") and (
                0xC0 <= cp <= 0x24F or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF5A)
        ):  # fmt: skip
            key = "latin"
        elif ch in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u2028\u2029" or (
            cp < 0x10000 and cat == "Zs"
        ):
            key = "space"
        elif cp < 0x10000 and cat[0] in "PS":
            key = "punct"
        else:
            key = "other"
        counts[key] += 1
    return ScriptStats(**counts)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_agrees_with_reference(text: str):
    assert script_stats(text) == _reference(text)
