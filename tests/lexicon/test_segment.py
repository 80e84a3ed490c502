"""Stems: particles, copula and light verbs come off; sentence and 받침 helpers."""

from __future__ import annotations

import pytest

from hanji.lexicon.kiwi import get_kiwi
from hanji.lexicon.segment import (
    eojeols,
    has_final_consonant,
    is_hangul_word,
    split_sentences,
    stems_of_sentence,
)


def stems(sentence: str) -> list[str]:
    return [o.stem for o in occurrences(sentence)]


@pytest.mark.parametrize(
    ("sentence", "stem"),
    [
        ("갓생이 유행이다.", "갓생"),
        ("나도 갓생을 산다.", "갓생"),
        ("갓생에서 중요한 건 꾸준함이다.", "갓생"),
        ("이번 달은 존버다.", "존버"),
        ("끝까지 존버하면 된다.", "존버"),
        ("얼죽아답게 얼음을 넣었다.", "얼죽아"),
    ],
)
def test_particles_and_endings_are_stripped(sentence, stem):
    assert stem in stems(sentence)


def occurrences(sentence: str) -> list:
    return list(stems_of_sentence(sentence, get_kiwi().tokenize(sentence)))


def test_verbs_give_evidence_against_nouns():
    assert occurrences("그는 천천히 걸었다.")[-1].noun == 0.0
    occs = occurrences("학교에 갔다.")
    assert occs[0].stem == "학교" and occs[0].tail == "에" and occs[0].noun == 1.0


def test_split_sentences_keeps_quotes_and_lines():
    text = '그가 "좋다!" 하고 웃었다. 나도 웃었다\n둘째 줄이다.'
    assert split_sentences(text) == ['그가 "좋다!"', "하고 웃었다.", "나도 웃었다", "둘째 줄이다."]


def test_eojeols_trim_punctuation():
    sentence = "'무인 도서관'의 풍경이다."
    assert [sentence[a:b] for a, b in eojeols(sentence)] == ["무인", "도서관'의", "풍경이다"]


def test_final_consonant_and_hangul():
    assert has_final_consonant("갓생") and not has_final_consonant("꾸안꾸")
    assert is_hangul_word("점메추") and not is_hangul_word("MZ세대")
