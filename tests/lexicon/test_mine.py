"""Planted words are found with particles stripped; everyday words are not candidates."""

from __future__ import annotations

from lexicon_corpus import DOCS, PLANTED

from hanji.lexicon import MineConfig, mine


def test_planted_words_rank_first_in_bare_form(mined):
    words = [c.word for c in mined.candidates]
    assert set(words[:3]) == set(PLANTED)


def test_particle_forms_are_not_separate_candidates(mined):
    words = {c.word for c in mined.candidates}
    for form in ("갓생이", "갓생을", "갓생에서", "점메추를", "꾸안꾸가", "꾸안꾸로"):
        assert form not in words


def test_everyday_words_are_not_candidates(mined):
    words = {c.word for c in mined.candidates}
    assert not words & {"학교", "친구", "사람", "점심", "아침", "도서관"}
    assert "친구" in mined.common_words  # known nouns feed the probe's distractors


def test_candidates_carry_real_sentences_and_counts(mined):
    by_word = {c.word: c for c in mined.candidates}
    cand = by_word["갓생"]
    assert cand.freq == 4
    assert cand.docs == 3
    assert all("갓생" in s for s in cand.contexts)
    assert "요즘 친구들 사이에서 갓생이 유행이다." in cand.contexts
    assert 0.0 < cand.score <= 1.0


def test_min_freq_filters_rare_words():
    assert mine(DOCS, config=MineConfig(min_freq=5)) == []


def test_reference_corpus_lowers_words_common_there(mined):
    reference = ["꾸안꾸 차림이 좋다. 꾸안꾸가 대세다. 꾸안꾸를 입었다."] * 20
    base = {c.word: c.score for c in mined.candidates}
    scored = {c.word: c.score for c in mine(DOCS, reference=reference, config=MineConfig())}
    assert scored["꾸안꾸"] < base["꾸안꾸"] / 2
    assert scored["점메추"] > scored["꾸안꾸"]
