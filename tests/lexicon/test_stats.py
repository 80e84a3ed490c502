"""Folding particle variants into their stem, without Kiwi."""

from __future__ import annotations

from collections import Counter

from hanji.lexicon.segment import Occurrence
from hanji.lexicon.stats import StemTable, entropy


def table_with(entries: list[tuple[str, str, float, int]]) -> StemTable:
    table = StemTable(max_contexts=8, max_context_chars=400, max_table=1000, seed=0)
    for stem, tail, noun, doc in entries:
        table.add(Occurrence(stem, tail, noun, "^"), doc, f"{stem}{tail} 문장 {doc}.")
    return table


def test_particle_variants_fold_into_the_noun():
    table = table_with(
        [
            ("얼죽아", "", 1.0, 0),
            ("얼죽아", "를", 1.0, 1),
            ("얼죽아들", "에게", 1.0, 2),
            ("얼죽아이", "고", 1.0, 3),
        ]
    )
    assert table.fold_variants(min_len=2) == 2
    st = table.stats["얼죽아"]
    assert st.freq == 4 and "얼죽아들" not in table.stats
    assert st.tails["들에게"] == 1 and st.tails["이고"] == 1


def test_a_word_ending_like_a_particle_stays_whole():
    table = table_with([("댕댕이", "가", 1.0, d) for d in range(5)])
    assert table.fold_variants(min_len=2) == 0
    assert table.stats["댕댕이"].freq == 5


def test_verb_forms_do_not_fold_into_a_made_up_stem():
    table = table_with([("움직이", "는", 0.0, d) for d in range(4)] + [("움직인", "다", 0.0, 9)])
    table.fold_variants(min_len=2)
    assert "움직" not in table.stats


def test_light_verb_folds_onto_a_seen_noun():
    table = table_with([("킹정", "", 1.0, 0), ("킹정", "이다", 1.0, 1), ("킹정하", "셨다", 0.0, 2)])
    table.fold_variants(min_len=2)
    assert table.stats["킹정"].freq == 3
    assert table.stats["킹정"].noun == 3.0


def test_documents_and_contexts_are_counted_once_each():
    table = table_with([("갓생", "이", 1.0, 0), ("갓생", "을", 1.0, 0), ("갓생", "", 1.0, 1)])
    st = table.stats["갓생"]
    assert (st.freq, st.docs, len(st.contexts)) == (3, 2, 3)


def test_entropy():
    assert entropy(Counter()) == 0.0
    assert abs(entropy(Counter({"이": 1, "을": 1})) - 0.6931) < 1e-3
