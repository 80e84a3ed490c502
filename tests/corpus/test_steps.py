"""Dedup shingles, PII scrub modes, decontamination, domain rules and mixture math."""

from __future__ import annotations

import pytest
from datatrove.data import Document

from hanji.corpus.decontam import Decontaminate
from hanji.corpus.dedup import char_shingles, dedup_text, first_wins
from hanji.corpus.domains import classify
from hanji.corpus.mixture import compute_mixture
from hanji.corpus.pii import PiiScrub

from .conftest import ARTICLE, write_jsonl

PHISHING = (
    "회사원 박정호(40) 씨가 받은 문자에는 주민등록번호 850314-1234562와 휴대전화 번호 "
    "010-1234-5678, 이메일 주소 parkjh0314@example.com까지 정확히 적혀 있었다."
)


def doc(text: str, **meta: object) -> Document:
    return Document(text=text, id="t", metadata={"path": "t.jsonl", "line": 1, **meta})


def jaccard(a: str, b: str) -> float:
    sa, sb = set(char_shingles(a, 5).ravel()), set(char_shingles(b, 5).ravel())
    return len(sa & sb) / len(sa | sb)


def test_char_shingles_ignore_spacing_and_punctuation() -> None:
    assert jaccard("학교에서 공부를 한다.", "학교에서공부를 한다!") == 1.0
    assert jaccard(ARTICLE, ARTICLE.replace("열한 곳", "열두 곳")) > 0.9
    assert jaccard(ARTICLE, "전혀 다른 내용의 문장이 여기에 있다.") < 0.1
    assert char_shingles("짧다", 5).shape == (0, 1)


def test_exact_dedup_key_and_priority() -> None:
    assert dedup_text(doc("한지는\n\n  종이다.")) == "한지는 종이다."
    assert first_wins(doc("", unit=0)) > first_wins(doc("", unit=3)) >= 1


@pytest.mark.parametrize(
    ("mode", "gone", "kept"),
    [
        ("redact", "850314-1234562", True),
        ("mask", "850314-1234562", True),
        ("drop-document", None, False),
    ],
)
def test_pii_modes(mode: str, gone: str | None, kept: bool) -> None:
    step = PiiScrub(mode)  # type: ignore[arg-type]
    out = list(step.run([doc(PHISHING)]))
    assert bool(out) is kept
    if kept:
        text = out[0].text
        for secret in (gone, "010-1234-5678", "parkjh0314"):
            assert secret not in text
        assert step.stats["fixed_pii_docs"].total == 1
    else:
        assert step.stats["dropped_pii"].total == 1


def test_decontamination_drops_shared_long_ngrams(tmp_path) -> None:
    held = write_jsonl(tmp_path / "heldout.jsonl", [{"text": ARTICLE}])
    step = Decontaminate([str(held)], n=8)
    copied = "서론이다. " + ARTICLE.split(". ")[1] + ". 결론이다."
    fresh = "한지는 닥나무 껍질로 만든 우리 종이로, 질기고 오래 간다는 평을 듣는다."
    out = list(step.run([doc(copied), doc(fresh)]))
    assert [d.text for d in out] == [fresh]
    assert step.stats["dropped_contaminated"].total == 1


def test_domain_classifier_on_the_held_out_split() -> None:
    import json

    from .conftest import SAMPLE

    records = [
        json.loads(line)
        for path in sorted((SAMPLE / "heldout").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]
    right = sum(classify(r["text"]) == r["domain"] for r in records)
    assert len(records) >= 20 and right / len(records) >= 0.85
    assert classify("1234 5678 ABC") == "other"


def test_mixture_probabilities_follow_weights_and_cap_epochs() -> None:
    chars = {"news": 900, "textbook": 90, "neologism": 10}
    mix = compute_mixture(chars, {"neologism": 2.0}, max_epochs=4.0)
    p, e = mix["probabilities"], mix["epochs"]
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    assert e["neologism"] == pytest.approx(4.0)  # capped: 10 chars cannot fill its share
    assert e["textbook"] == pytest.approx(4.0)  # capped too after redistribution
    assert p["news"] == pytest.approx(1 - 0.04 - 0.36, abs=1e-5)
    assert mix["chars"] == chars and mix["budget_chars"] == 1000


def test_mixture_without_cap_is_the_weight_share() -> None:
    mix = compute_mixture({"a": 500, "b": 500}, {"b": 3.0}, max_epochs=10.0)
    assert mix["probabilities"] == {"a": 0.25, "b": 0.75}
    assert mix["epochs"] == {"a": 0.5, "b": 1.5}


def test_domain_tagger_keeps_source_domains_and_tags_auto() -> None:
    from hanji.corpus.domains import DomainTagger

    step = DomainTagger()
    chat = "오늘 갓생 루틴 성공ㅋㅋㅋ 완전 뿌듯하네요! 다들 꾸안꾸 출근룩 후기 댓글로 알려 주세요~"
    out = list(step.run([doc(chat, domain="news"), doc(chat, domain="auto")]))
    assert [d.metadata["domain"] for d in out] == ["news", "neologism"]
    assert step.stats["fixed_auto_tagged"].total == 1


def test_hub_dataset_without_datasets_is_a_clear_error(tmp_path, monkeypatch) -> None:
    import importlib.util

    from hanji.corpus.readers.sources import CorpusError, expand_sources
    from hanji.recipe import parse_recipe

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "datasets" else real(n, *a)
    )
    recipe = parse_recipe(
        {"corpus": {"sources": [{"path": "someone/korean-news", "format": "hf"}]}},
        path=tmp_path / "r.toml",
    )
    with pytest.raises(CorpusError, match="pip install datasets"):
        expand_sources(recipe)


def test_decontamination_reads_every_field_and_rejects_bad_files(tmp_path) -> None:
    from hanji.corpus.decontam import check_files
    from hanji.corpus.readers.sources import CorpusError

    long_question = "다음 글에서 도서관이 늘어나는 까닭으로 가장 알맞은 것을 고르시오. " + ARTICLE
    bench = write_jsonl(
        tmp_path / "mc.jsonl",
        [{"question": long_question, "choices": ["가", "나"], "answer": 1}],
    )
    step = Decontaminate([str(bench)], n=8)
    out = list(step.run([doc("머리말이다. " + ARTICLE)]))
    assert out == [] and step.stats["dropped_contaminated"].total == 1
    assert check_files([str(bench)])[str(bench)] > 0

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question": "좋다"}\n{"question": \n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"broken\.jsonl:2"):
        check_files([str(broken)])


@pytest.mark.parametrize("kind", ["nfd_jsonl", "tsv", "csv", "json_object", "json_list"])
def test_decontamination_reads_through_the_one_reader(tmp_path, kind: str) -> None:
    """Evaluation files are read by hanji.text.io: NFC (a decomposed file still matches the
    corpus's NFC text), TSV and CSV cells, a pretty-printed JSON record or list."""
    import json
    import unicodedata

    path = {
        "nfd_jsonl": lambda: write_jsonl(
            tmp_path / "nfd.jsonl", [{"passage": unicodedata.normalize("NFD", ARTICLE)}]
        ),
        "tsv": lambda: _write(tmp_path / "mc.tsv", f"문항\t지문\n1\t{ARTICLE}\n"),
        "csv": lambda: _write(tmp_path / "mc.csv", f'문항,지문\n1,"{ARTICLE}"\n'),
        "json_object": lambda: _write(
            tmp_path / "one.json", json.dumps({"지문": ARTICLE}, ensure_ascii=False, indent=2)
        ),
        "json_list": lambda: _write(
            tmp_path / "list.json", json.dumps([{"지문": ARTICLE}], ensure_ascii=False, indent=2)
        ),
    }[kind]()
    step = Decontaminate([str(path)], n=8)
    assert list(step.run([doc("머리말이다. " + ARTICLE)])) == []


def test_a_broken_json_list_names_its_line(tmp_path) -> None:
    from hanji.corpus.decontam import check_files
    from hanji.corpus.readers.sources import CorpusError

    broken = _write(tmp_path / "broken.json", '[\n  {"지문": "좋다"},\n  {"지문": \n]\n')
    with pytest.raises(CorpusError, match=r"broken\.json:4"):
        check_files([str(broken)])


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path
