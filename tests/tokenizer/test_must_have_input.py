"""`hanji tokenizer extend --must-have` takes the lexicon's domain_terms.jsonl as well."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanji.tokenizer.cli import app
from hanji.tokenizer.extend import must_have_words


def _domain_terms(path: Path, words: list[str]) -> Path:
    rows = [
        {"word": w, "freq": 6, "docs": 6, "reference_freq": 6, "reference_docs": 6} for w in words
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_must_have_words_from_txt_and_jsonl_in_order_once(tmp_path: Path) -> None:
    txt = tmp_path / "must_have.txt"
    txt.write_text("갓생\n\n점메추\n", "utf-8")
    jsonl = _domain_terms(tmp_path / "domain_terms.jsonl", ["치수선", "갓생"])
    assert must_have_words([txt, jsonl]) == ["갓생", "점메추", "치수선"]


def test_a_jsonl_line_without_word_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "domain_terms.jsonl"
    bad.write_text('{"word": "치수선"}\n{"freq": 3}\n', "utf-8")
    with pytest.raises(ValueError, match=r"domain_terms.jsonl:2"):
        must_have_words([bad])


def test_extend_builds_domain_terms_as_single_tokens(tmp_path: Path) -> None:
    texts = [
        "도면에 치수선을 그리면 길이가 표시됩니다. 치수선의 색은 바꿀 수 있습니다.",
        "치수선이 도형과 겹치면 옮기십시오. 새 치수선은 눈금을 따라갑니다.",
    ] * 4
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts))
    terms = _domain_terms(tmp_path / "domain_terms.jsonl", ["치수선"])
    out = tmp_path / "ext"
    args = ["extend", "--base", "smollm2-135m", "--corpus", str(corpus), "--out", str(out)]
    args += ["--add", "200", "--must-have", str(terms), "--tokenizer-only"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "hanji_vocab.json").read_text("utf-8"))["must_have"] == {
        "치수선": True
    }
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok.tokenize(" 치수선")) == 1
