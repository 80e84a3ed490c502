"""Issue 25: the reference means "not new", low counts are weighed honestly, typos stay out."""

from __future__ import annotations

import json

import pytest
from lexicon_corpus import DOCS

from hanji.lexicon import MineConfig, mine_with_stats
from hanji.lexicon.mine import reference_novelty

# Ordinary sentences written for these tests; a reference document is two of them.
PLAIN = [
    "아침에 공원을 한 바퀴 걸었다.",
    "도서관에서 빌린 소설을 다 읽었다.",
    "버스가 늦게 와서 회의에 조금 늦었다.",
    "시장에서 산 귤이 무척 달았다.",
    "동생과 함께 저녁으로 국수를 먹었다.",
    "비가 그치자 하늘이 맑게 개었다.",
    "새로 산 우산을 지하철에 두고 내렸다.",
    "할머니께서 보내 주신 김치가 맛있었다.",
    "주말에는 집 청소를 하고 빨래를 널었다.",
    "친구에게 생일 축하 편지를 썼다.",
    "오후에 은행에 들러 통장을 정리했다.",
    "창문을 열어 두니 바람이 시원했다.",
]


def plain_docs(n: int) -> list[str]:
    return [f"{PLAIN[i % 12]} {PLAIN[(5 * i + 3) % 12]}" for i in range(n)]


# A software-manual term (Kiwi's dictionary lacks it) in sentences written for these tests.
TERM_USES = [
    "도면에 치수선을 그리면 길이가 함께 표시됩니다.",
    "치수선의 색과 굵기는 서식 메뉴에서 바꿀 수 있습니다.",
    "치수선이 도형과 겹치면 선택 도구로 옮기십시오.",
    "치수선은 도형을 움직여도 따라 움직입니다.",
    "치수선에 단위를 붙이려면 속성 창을 여십시오.",
    "새 치수선을 추가할 때마다 눈금이 다시 계산됩니다.",
]

# A word coined here, used 3 times in 3 documents.
NEW_USES = [
    "요즘 동아리에서는 꿀잠템이 유행이라 모두 하나씩 샀다.",
    "동생이 꿀잠템을 추천해 주어서 어제 주문했다.",
    "꿀잠템은 생각보다 값이 싸서 놀랐다.",
]


def test_likelihood_ratio_weighs_low_counts_honestly():
    # 3 uses, none in a reference ten times larger: strong evidence of a new word
    assert reference_novelty(3, 0, 100, 1000) > 0.99
    # none in a reference of the same size: weak (even odds become 8 : 1)
    assert 0.8 < reference_novelty(3, 0, 100, 100) < 0.95
    # 3 against 1 in the larger reference: the word existed before
    assert reference_novelty(3, 1, 100, 1000) < 0.5
    # a word used at the same rate in both is old, however often it is used
    assert reference_novelty(20, 20, 100, 100) < 1e-3
    assert reference_novelty(40, 400, 100, 1000) < 1e-3
    # a strong burst survives one early use in the reference
    assert reference_novelty(30, 1, 100, 100) > 0.99
    # without a reference nothing is known
    assert reference_novelty(3, 0, 100, 0) == 1.0


def test_a_domain_term_as_frequent_in_the_reference_is_not_new_but_a_domain_term():
    texts = DOCS + [f"{use} {PLAIN[i]}" for i, use in enumerate(TERM_USES)]
    reference = plain_docs(8) + [f"{PLAIN[i + 3]} {use}" for i, use in enumerate(TERM_USES)]
    result = mine_with_stats(texts, reference=reference, config=MineConfig())
    scores = {c.word: c for c in result.candidates}
    assert "치수선" not in scores or scores["치수선"].score < 0.05
    assert {"갓생", "점메추", "꾸안꾸"} <= {c.word for c in result.candidates[:3]}
    terms = {d.word: d for d in result.domain_terms}
    assert terms["치수선"].freq == 6 and terms["치수선"].reference_docs == 6
    assert not {"갓생", "점메추", "꾸안꾸"} & set(terms)


@pytest.mark.parametrize(("uses_there", "accepted"), [(0, True), (1, False)])
def test_three_uses_against_a_ten_times_larger_reference(uses_there, accepted):
    texts = [f"{use} {PLAIN[i]}" for i, use in enumerate(NEW_USES)] + plain_docs(7)
    reference = plain_docs(100)
    if uses_there:
        reference[40] += " 형이 꿀잠템을 가져왔다."
    result = mine_with_stats(texts, reference=reference, config=MineConfig())
    score = {c.word: c.score for c in result.candidates}.get("꿀잠템", 0.0)
    assert (score >= MineConfig().min_score) is accepted, score


def test_uses_spread_over_documents_beat_uses_in_one_document():
    # The same three sentences as three documents, or as one (a name in one story, say).
    spread = [f"{use} {PLAIN[i]}" for i, use in enumerate(NEW_USES)] + plain_docs(7)
    one = [" ".join(NEW_USES), *plain_docs(9)]
    score = {}
    for name, texts in (("spread", spread), ("one", one)):
        cands = mine_with_stats(texts, config=MineConfig()).candidates
        score[name] = {c.word: c.score for c in cands}.get("꿀잠템", 0.0)
    assert score["spread"] >= MineConfig().min_score > score["one"]


def test_a_rare_one_syllable_variant_of_a_common_word_is_dropped_as_a_typo():
    texts = [f"{TERM_USES[i % 6]} {PLAIN[i % 12]}" for i in range(66)]
    texts += ["도면에 치수섬을 그렸다.", "치수섬이 보이지 않는다.", "치수섬은 지웠다."]
    result = mine_with_stats(texts, config=MineConfig())
    assert result.typos == {"치수섬": "치수선"}
    assert "치수섬" not in {c.word for c in result.candidates}
    # a reference that uses the word too makes it a word, not a typo
    reference = [*plain_docs(20), "지도에서 치수섬을 찾았다."]
    assert mine_with_stats(texts, reference=reference, config=MineConfig()).typos == {}


def test_lexicon_fingerprint_follows_the_miner_version(tmp_path, monkeypatch):
    import importlib

    from hanji.lexicon.stage import fingerprint
    from hanji.recipe import parse_recipe

    recipe = parse_recipe({}, path=tmp_path / "r.toml")
    before = fingerprint(recipe)
    assert fingerprint(recipe) == before
    mine_module = importlib.import_module("hanji.lexicon.mine")
    monkeypatch.setattr(mine_module, "MINE_VERSION", mine_module.MINE_VERSION + 1)
    assert fingerprint(recipe) != before


def test_domain_terms_jsonl_is_written_and_typos_reported(tmp_path):
    from hanji.lexicon import write_outputs

    texts = DOCS + [f"{use} {PLAIN[i]}" for i, use in enumerate(TERM_USES)]
    reference = plain_docs(8) + [f"{PLAIN[i + 3]} {use}" for i, use in enumerate(TERM_USES)]
    result = mine_with_stats(texts, reference=reference, config=MineConfig())
    summary = write_outputs(result, tmp_path)

    lines = (tmp_path / "domain_terms.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {"word": "치수선", "freq": 6, "docs": 6} == {
        k: v for k, v in records[0].items() if k in ("word", "freq", "docs")
    }
    assert records[0]["reference_docs"] == 6
    assert "치수선" not in (tmp_path / "must_have.txt").read_text("utf-8").split()
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["domain_terms"] == summary.domain_terms == len(records)
    assert report["dropped_as_typos"] == {}
