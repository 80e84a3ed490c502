"""Kiwi's view of a word, and mined words loaded back into a Kiwi as user words."""

from __future__ import annotations

import pytest

from hanji.lexicon.kiwi import kiwi_view, load_user_words


def test_dictionary_words_and_inflections_are_known():
    for word in ("학교", "팀장님", "먹었"):
        assert kiwi_view(word).known and kiwi_view(word).novelty == 0.0


def test_abbreviations_are_novel():
    for word in ("갓생", "꾸안꾸", "월급루팡"):
        assert kiwi_view(word).novelty > 0.8


class RecordingKiwi:
    def __init__(self) -> None:
        self.added: list[tuple[str, str, float]] = []

    def add_user_word(self, word: str, tag: str, score: float) -> bool:
        self.added.append((word, tag, score))
        return True


def test_load_user_words_reads_the_tsv(tmp_path):
    (tmp_path / "kiwi_user_words.tsv").write_text(
        "갓생\tNNP\t0.7\n꾸안꾸\tNNG\n\n", encoding="utf-8"
    )
    kiwi = RecordingKiwi()
    assert load_user_words(kiwi, tmp_path) == 2
    assert kiwi.added == [("갓생", "NNP", 0.7), ("꾸안꾸", "NNG", 0.0)]


@pytest.mark.slow
def test_load_user_words_makes_kiwi_keep_the_word_whole(tmp_path):
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    assert kiwi.tokenize("갓생을")[0].form != "갓생"
    (tmp_path / "kiwi_user_words.tsv").write_text("갓생\tNNP\t0.7\n", encoding="utf-8")
    assert load_user_words(kiwi, tmp_path) == 1
    tokens = kiwi.tokenize("갓생을 산다")
    assert (tokens[0].form, tokens[0].tag, tokens[1].form) == ("갓생", "NNP", "을")


def test_load_user_words_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_user_words(object(), tmp_path)
