"""`hanji lexicon mine` end to end on a tiny JSONL corpus."""

from __future__ import annotations

import json

import pytest
from lexicon_corpus import DOCS, PLANTED
from typer.testing import CliRunner

from hanji.lexicon.cli import app
from hanji.lexicon.config import MineConfig

runner = CliRunner()


@pytest.mark.slow
def test_mine_writes_every_file(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in DOCS),
        encoding="utf-8",
    )
    glossary = tmp_path / "glossary.jsonl"
    glossary.write_text('{"word": "갓생", "meaning": "성실한 삶."}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["mine", str(corpus), "--out", str(out), "--glossary", str(glossary)]
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {
        "candidates.jsonl",
        "glossary.jsonl",
        "train_docs.jsonl",
        "probe.jsonl",
        "must_have.txt",
        "kiwi_user_words.tsv",
        "report.json",
    } <= names
    assert set((out / "must_have.txt").read_text(encoding="utf-8").split()) == set(PLANTED)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents"] == len(DOCS)


def test_missing_input_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["mine", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.output


def test_bad_flag_value_names_the_flag(tmp_path):
    result = runner.invoke(app, ["mine", str(tmp_path), "--out", str(tmp_path), "--min-score", "2"])
    assert result.exit_code == 2
    assert "--min-score" in result.output


def test_config_errors_name_the_flag():
    with pytest.raises(ValueError, match="--top"):
        MineConfig(top=-1)


def test_missing_glossary_is_a_clear_error(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("갓생을 산다.\n", encoding="utf-8")
    args = ["mine", str(corpus), "--out", str(tmp_path / "o"), "--glossary", "없음.jsonl"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--glossary" in result.output


def test_importing_the_cli_stays_light():
    import subprocess
    import sys

    code = "import sys, hanji.lexicon.cli; print('kiwipiepy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
