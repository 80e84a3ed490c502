"""The files of `hanji lexicon mine`: probe held out of training text, no invented meanings."""

from __future__ import annotations

import json

import pytest

from hanji.lexicon import Candidate, MineConfig, load_glossary, write_outputs
from hanji.lexicon.mine import MineResult


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def candidate(word: str, score: float, sentences: list[str]) -> Candidate:
    return Candidate(word, score, len(sentences), len(sentences), sentences, {"noun": 1.0})


def sample_result() -> MineResult:
    gs = [
        "요즘 회사 후배들 사이에서 갓생이 유행이다.",
        "나도 올해는 갓생을 살겠다고 다짐했다.",
        "갓생에서 중요한 건 작은 습관이라고 한다.",
        "친구는 갓생 루틴을 벽에 붙여 두었다.",
    ]
    js = [
        "팀 단체방에 어김없이 점메추 요청이 올라온다.",
        "오늘 점메추는 동료가 맡기로 했다.",
        "점메추를 부탁했더니 칼국수가 나왔다.",
    ]
    ks = ["친구는 꾸안꾸 차림이 제일 어렵다고 했다.", "꾸안꾸는 생각보다 손이 많이 간다."]
    cands = [
        candidate("갓생", 0.7, gs),
        candidate("점메추", 0.6, js),
        candidate("꾸안꾸", 0.5, ks),
        candidate("단체방", 0.1, ["우리 단체방은 조용하다."]),
    ]
    return MineResult(cands, common_words=["학교", "사람", "친구", "가방", "하늘", "바람"])


def test_all_files_and_contracts(tmp_path):
    glossary = {"갓생": "부지런하고 계획적으로 사는 삶.", "오운완": "오늘 운동 완료."}
    summary = write_outputs(
        sample_result(), tmp_path, glossary=glossary, config=MineConfig(top=3, min_score=0.3)
    )
    assert summary.accepted == ["갓생", "점메추", "꾸안꾸"]
    assert summary.glossary_not_accepted == ["오운완"]

    cands = read_jsonl(tmp_path / "candidates.jsonl")
    assert [c["word"] for c in cands] == ["갓생", "점메추", "꾸안꾸", "단체방"]
    assert all({"word", "score", "freq", "contexts"} <= c.keys() for c in cands)
    assert all(len(c["contexts"]) <= 5 for c in cands)

    gloss = {g["word"]: g["meaning"] for g in read_jsonl(tmp_path / "glossary.jsonl")}
    assert gloss == {"갓생": "부지런하고 계획적으로 사는 삶.", "점메추": None, "꾸안꾸": None}

    docs = read_jsonl(tmp_path / "train_docs.jsonl")
    assert {d["domain"] for d in docs} == {"neologism"}
    assert all({"id", "text", "domain", "source"} <= d.keys() for d in docs)
    assert docs[0]["text"].startswith("갓생: 부지런하고")

    probes = read_jsonl(tmp_path / "probe.jsonl")
    assert probes, "words with three or more contexts get probe items"
    training_text = "\n".join(d["text"] for d in docs)
    shown = {s for c in cands for s in c["contexts"]}
    for item in probes:
        sentence = item["prefix"] + item["options"][item["answer"]] + item["suffix"]
        assert item["options"][item["answer"]] == item["word"]
        assert item["context"] == item["prefix"] + "___" + item["suffix"]
        assert len(item["options"]) == 4 == len(set(item["options"]))
        assert sentence not in training_text and sentence not in shown

    assert (tmp_path / "must_have.txt").read_text(encoding="utf-8").split() == summary.accepted
    tsv = (tmp_path / "kiwi_user_words.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "갓생\tNNP\t0.7"
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["probes"] == len(probes)


def test_min_score_and_top_limit_acceptance(tmp_path):
    summary = write_outputs(sample_result(), tmp_path, config=MineConfig(top=10, min_score=0.55))
    assert summary.accepted == ["갓생", "점메추"]
    summary = write_outputs(sample_result(), tmp_path, config=MineConfig(top=1, min_score=0.0))
    assert summary.accepted == ["갓생"]


def test_load_glossary_reads_words_and_skips_blank_lines(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"word": "갓생", "meaning": "성실한 삶."}\n\n', encoding="utf-8")
    assert load_glossary(path) == {"갓생": "성실한 삶."}


@pytest.mark.parametrize(
    ("line", "field"),
    [('{"word": "텅장"}', "meaning"), ('{"word": " ", "meaning": "빈 통장."}', "word")],
)
def test_incomplete_glossary_line_names_line_and_field(tmp_path, line, field):
    path = tmp_path / "g.jsonl"
    path.write_text('{"word": "갓생", "meaning": "성실한 삶."}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"g.jsonl:2: .*'{field}'"):
        load_glossary(path)
