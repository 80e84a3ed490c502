"""The evaluation set of bench/lexicon.py is what issue 5 describes, and meets its goal."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "lexicon"


def planted() -> list[str]:
    return (DATA / "planted_words.txt").read_text(encoding="utf-8").split()


def paragraphs() -> list[str]:
    text = (DATA / "planted.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n\n") if p.strip()]


def test_about_thirty_words_each_used_7_to_17_times_with_varied_tails():
    words = planted()
    assert 25 <= len(words) <= 35 and len(set(words)) == len(words)
    text = "\n\n".join(paragraphs())
    for word in words:
        # Every use starts a word-unit: no planted word hides inside another word.
        assert text.count(word) == len(re.findall(rf"(?<![가-힣]){word}", text)), word
        tails = Counter(re.findall(rf"(?<![가-힣]){word}([가-힣]*)", text))
        assert 7 <= sum(tails.values()) <= 17, word
        assert len(tails) >= 3, word


def test_ordinary_paragraphs_without_any_planted_word():
    words = planted()
    plain = [p for p in paragraphs() if not any(w in p for w in words)]
    assert len(plain) >= 10


@pytest.mark.slow
def test_goal_on_the_planted_set():
    from hanji.lexicon import MineConfig, mine
    from hanji.text.io import iter_texts

    words = planted()
    ranked = [c.word for c in mine(iter_texts([DATA / "planted.txt"]), config=MineConfig())]
    assert sum(w in ranked[:50] for w in words) / len(words) >= 0.9
    assert sum(w in words for w in ranked[:30]) / 30 >= 0.8
