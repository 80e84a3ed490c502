"""`hanji lexicon mine` and the build's lexicon stage read their inputs the same way."""

from __future__ import annotations

import json
import unicodedata

import pytest
from lexicon_corpus import DOCS, PLANTED
from typer.testing import CliRunner

from hanji.lexicon.cli import app
from hanji.lexicon.probe import heldout_items
from hanji.lexicon.stage import mine_for_build


def _inputs(folder):
    """NFD JSONL with a bad line and a record without text, and a .txt without blank lines."""
    folder.mkdir()
    lines = [json.dumps({"text": unicodedata.normalize("NFD", d)}) for d in DOCS[:5]]
    lines[1:1] = ["{not json", json.dumps({"title": "본문 없는 기록"}, ensure_ascii=False)]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text("\n".join(DOCS[5:]) + "\n", encoding="utf-8")
    return folder


@pytest.mark.slow
def test_cli_and_build_stage_read_and_mine_alike(tmp_path):
    inputs = _inputs(tmp_path / "in")
    cli_out, build_out = tmp_path / "cli", tmp_path / "build"
    result = CliRunner().invoke(app, ["mine", str(inputs), "--out", str(cli_out)])
    assert result.exit_code == 0, result.output
    figures = mine_for_build(
        inputs=[inputs],
        out=build_out,
        heldout=[],
        reference=[],
        glossary=None,
        top_k=100,
        min_score=0.25,
    )
    cli_report = json.loads((cli_out / "report.json").read_text("utf-8"))
    build_report = json.loads((build_out / "report.json").read_text("utf-8"))
    # NFC, one document per line of the .txt, the bad lines skipped and counted: both ways
    assert cli_report["documents"] == build_report["documents"] == len(DOCS)
    assert cli_report["skipped"] == build_report["skipped"] == {"bad_json": 1, "no_text": 1}
    assert cli_report["chars"] == build_report["chars"] == sum(map(len, DOCS))
    assert figures["documents"] == len(DOCS) and figures["skipped"] == cli_report["skipped"]
    for name in ("candidates.jsonl", "must_have.txt", "train_docs.jsonl", "probe.jsonl"):
        assert (cli_out / name).read_text("utf-8") == (build_out / name).read_text("utf-8")
    assert set((build_out / "must_have.txt").read_text("utf-8").split()) == set(PLANTED)


def test_heldout_items_probe_each_word_at_most_per_word_times():
    texts = [
        "어제부터 나는 갓생을 살기로 했다. 친구도 갓생이 좋다고 말했다.",
        "동생은 요즘 꾸안꾸 차림을 좋아한다. 갓생은 쉽지 않다고 한다.",
    ]
    common = ["학교", "사람", "가방", "바다", "하늘", "도시"]
    items = heldout_items(texts, ["갓생", "꾸안꾸", "점메추"], common, seed=13, per_word=2)
    words = [i.word for i in items]
    assert words.count("갓생") == 2 and words.count("꾸안꾸") == 1
    for item in items:
        assert item.prefix + item.options[item.answer] + item.suffix in " ".join(texts)
        assert item.context == item.prefix + "___" + item.suffix
