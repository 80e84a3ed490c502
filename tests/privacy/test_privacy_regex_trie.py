"""word_alternation: a prefix tree that matches exactly what the flat alternation matches."""

import re

import pytest

from hanji.privacy.regex_trie import word_alternation
from hanji.privacy.wordlists import ROLE_WORDS, SIDO, TITLES


def flat(words: list[str] | tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def test_tree_shares_prefixes_and_tries_longest_first():
    assert word_alternation(["성명", "성함", "성명란"]) == "(?:성(?:명(?:란)?|함))"
    assert re.fullmatch(word_alternation(["a.b", "a"]), "a.b")  # literal, not a wildcard
    assert not re.fullmatch(word_alternation(["a.b"]), "axb")


@pytest.mark.parametrize("words", [ROLE_WORDS, TITLES, SIDO])
def test_same_matches_as_the_flat_alternation_also_when_backtracking(words):
    # What follows the words forces the engine back into the alternation: "서울특별시 "
    # must give way to "서울" when the text continues "서울특별시장", and so on.
    tail = r"(?:[ ]?[가-힣]{1,2}[:]|[ ]님)"
    tree = re.compile("(" + word_alternation(words) + ")" + tail)
    plain = re.compile("(" + flat(words) + ")" + tail)
    texts = [f"{w}{end}" for w in words for end in (":", " 님", "장:", "특별시 님", " 김:")]
    texts += ["성명란: 홍길동", "예금주명 님", "받는사람:", "서울특별시장:"]
    for text in texts:
        a = [(m.span(), m.group(1)) for m in plain.finditer(text)]
        b = [(m.span(), m.group(1)) for m in tree.finditer(text)]
        assert a == b, text


def test_empty_words_are_refused():
    with pytest.raises(ValueError):
        word_alternation(["a", ""])
