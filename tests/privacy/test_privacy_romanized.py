"""Korean names in Latin letters, in Korean and English text."""

import pytest

from hanji.privacy import detect


def names(text: str) -> list[str]:
    return [text[e.start : e.end] for e in detect(text) if e.type == "PERSON"]


@pytest.mark.parametrize(
    "name",
    ["Park Ji-hoon", "Kim Min-jun", "Lee Seo-yeon", "Pak Jiho", "Rhee Minseo", "Gim Ha-yun",
     "PARK JIHOON", "Ji-hoon Park", "Choi Ji Hoon", "Yi Su-min"],
)  # fmt: skip
def test_romanised_names(name):
    assert names(f"Name: {name}\nPhone: 02-123-4567") == [name]
    assert names(f"담당자 영문명 {name} 입니다") == [name]


def test_english_words_that_follow_a_surname_are_not_names():
    words = ("Go Home 하자", "Song Book 2권", "Lee Jones said", "Park Avenue 12", "Kim Possible")
    for text in words:
        assert names(text) == [], text


def test_the_placeholder_in_latin_letters_is_no_person():
    assert names("영문 성명 HONG GILDONG (예시)") == []
    assert names("e.g. Hong Gil-dong") == []
