"""Distractors match the answer's length and 받침, so the particle gives nothing away."""

from __future__ import annotations

import random

from hanji.lexicon.probe import make_item, occurrences, pick_distractors
from hanji.lexicon.segment import has_final_consonant


def test_distractors_match_length_and_final_consonant():
    neo = ["텅장", "존버", "뇌절", "꾸안꾸", "오운완"]
    common = ["학교", "사람", "하루", "가방", "바다"]
    got = pick_distractors("갓생", "나도 갓생을 산다.", neo, common, random.Random(0))
    assert len(got) == 3 and "갓생" not in got
    assert all(len(w) == 2 and has_final_consonant(w) for w in got)
    assert sum(w in neo for w in got) <= 2


def test_item_fills_back_into_the_sentence():
    sentence = "요즘 회사 후배들 사이에서 갓생이 유행이다."
    item = make_item("갓생", sentence, ["텅장", "존버"], ["학교", "사람", "가방"], seed=1)
    assert item is not None
    assert item.prefix + item.options[item.answer] + item.suffix == sentence
    assert item.context == "요즘 회사 후배들 사이에서 ___이 유행이다."


def test_sentences_with_the_word_twice_make_no_item():
    assert make_item("갓생", "갓생은 갓생이다.", ["텅장"], ["학교", "사람"], seed=1) is None


def test_occurrences_only_at_word_starts():
    assert occurrences("반갓생과 갓생", "갓생") == [5]


def test_one_probe_item_from_the_miner_to_the_evaluator(tmp_path):
    import json

    from hanji.evaluate.probe import load_probe
    from hanji.lexicon.probe import ProbeItem

    item = make_item(
        "갓생", "요즘 후배들 사이에서 갓생이 유행이다.", ["텅장", "존버"], ["학교", "사람"], seed=1
    )
    assert item is not None
    path = tmp_path / "probe.jsonl"
    path.write_text(json.dumps(item.as_record(), ensure_ascii=False) + "\n", "utf-8")
    assert load_probe(path) == [item]
    blank = ProbeItem.from_record({"context": "나는 ___을 산다.", "options": ["갓생"], "answer": 0})
    assert (blank.prefix, blank.suffix, blank.word, blank.id) == ("나는 ", "을 산다.", "", "")
