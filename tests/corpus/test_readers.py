"""Every input format, and every kind of bad input counted under a named reason."""

from __future__ import annotations

import bz2
import csv
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from hanji.corpus.readers.base import SourceReader
from hanji.corpus.readers.sources import CorpusError, expand_sources
from hanji.corpus.readers.wikitext import strip_wikitext
from hanji.recipe import Recipe

from .conftest import ARTICLE, write_jsonl

WIKI = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">
  <page><title>한지</title><ns>0</ns><id>7</id><revision><text>'''한지'''(韓紙)는 [[닥나무]] 껍질로
만든 [[종이|우리 종이]]이다.{{출처 필요}}&lt;ref&gt;어느 책&lt;/ref&gt;
== 역사 ==
* 삼국 시대부터 만들었다.
[[분류:종이]]
== 각주 ==
&lt;references/&gt;</text></revision></page>
  <page><title>창호지</title><ns>0</ns><id>8</id><redirect title="한지"/>
    <revision><text>#넘겨주기 [[한지]]</text></revision></page>
  <page><title>토론:한지</title><ns>1</ns><id>9</id>
    <revision><text>토론 내용</text></revision></page>
</mediawiki>
"""


def read_all(recipe: Recipe, tmp_path: Path) -> tuple[list[Document], dict[str, int], dict]:
    """Run the reader over every unit; return documents, counters and the ledger."""
    reader = SourceReader(expand_sources(recipe), report_dir=str(tmp_path / "rep"))
    docs = list(reader.run())
    counters = {k: int(v.total) for k, v in reader.stats.stats.items()}
    ledger = json.loads((tmp_path / "rep" / "read" / "00000.json").read_text("utf-8"))
    return docs, counters, ledger


def test_jsonl_bad_lines_are_counted_with_file_and_line(
    tmp_path: Path, make_recipe: Callable[..., Recipe]
) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False).encode(),
        b'{"id": "b", "text": "\xed\x95\x9c\xea\xb5 broken"}',
        b'{"id": "c", "text": "unterminated',
        json.dumps({"id": "d", "text": "가" * 1_100_000}, ensure_ascii=False).encode(),
        json.dumps({"id": "e", "body": "본문 필드가 다르다"}, ensure_ascii=False).encode(),
        b"",
        json.dumps({"text": ARTICLE}, ensure_ascii=False).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    docs, counters, ledger = read_all(
        make_recipe([{"path": str(path), "domain": "news"}]), tmp_path
    )
    assert [d.id for d in docs] == ["a", "in.jsonl:7"]
    assert counters["in"] == 6 and counters["kept"] == 2
    assert counters["dropped_invalid_utf8"] == 1
    assert counters["dropped_malformed_json"] == 1
    assert counters["dropped_too_long"] == 1
    assert counters["dropped_no_text"] == 1
    places = {w["reason"]: w["where"] for w in ledger["warnings"]}
    assert places["invalid_utf8"] == f"{path}:2" and places["malformed_json"] == f"{path}:3"
    assert docs[0].metadata["path"] == str(path) and docs[0].metadata["line"] == 1


def test_empty_file_counts_once(tmp_path: Path, make_recipe: Callable[..., Recipe]) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    docs, counters, _ = read_all(make_recipe([{"path": str(tmp_path / "empty.jsonl")}]), tmp_path)
    assert docs == [] and counters["dropped_empty_file"] == 1 and counters["in"] == 1


def test_text_blocks_and_files(tmp_path: Path, make_recipe: Callable[..., Recipe]) -> None:
    single = tmp_path / "blocks.txt"
    single.write_text(f"{ARTICLE}\n\n\n둘째 문서이다.\n이어지는 줄.\n", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(f"{ARTICLE}\n\n둘째 문단도 같은 문서다.", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\xff\xfe broken")
    recipe = make_recipe(
        [{"path": str(single), "format": "text"}, {"path": str(folder), "format": "text"}]
    )
    docs, counters, _ = read_all(recipe, tmp_path)
    assert [d.id for d in docs] == ["blocks.txt:1", "blocks.txt:4", "a.txt:1"]
    assert docs[1].text == "둘째 문서이다.\n이어지는 줄."
    assert "둘째 문단" in docs[2].text
    assert counters["dropped_invalid_utf8"] == 1


def test_parquet_csv_and_truncated_parquet(
    tmp_path: Path, make_recipe: Callable[..., Recipe]
) -> None:
    table = pa.table(
        {"id": ["p1", "p2"], "body": [ARTICLE, "둘째 행"], "day": ["2024-01-02", None]}
    )
    pq.write_table(table, tmp_path / "good.parquet")
    raw = (tmp_path / "good.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(raw[: len(raw) // 2])
    with (tmp_path / "rows.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "body"])
        w.writerow(["c1", ARTICLE])
        w.writerow(["c2", "줄바꿈이\n있는 칸"])
    with (tmp_path / "rows.csv").open("ab") as fh:
        fh.write(b"c3,\xea\xb0 broken\n")
    recipe = make_recipe(
        [
            {"path": str(tmp_path / "*.parquet"), "format": "parquet", "text_field": "body",
             "date_field": "day", "license": "CC-BY-4.0"},
            {"path": str(tmp_path / "rows.csv"), "format": "csv", "text_field": "body"},
        ]
    )  # fmt: skip
    docs, counters, ledger = read_all(recipe, tmp_path)
    assert [d.id for d in docs] == ["p1", "p2", "c1", "c2"]
    assert docs[0].metadata["date"] == "2024-01-02" and docs[0].metadata["license"] == "CC-BY-4.0"
    assert docs[3].text == "줄바꿈이\n있는 칸"
    assert counters["dropped_unreadable_file"] == 1
    assert counters["dropped_invalid_utf8"] == 1
    assert any(w["where"].endswith("cut.parquet") for w in ledger["warnings"])


@pytest.mark.parametrize("name", ["dump.xml", "dump.xml.bz2"])
def test_mediawiki_dump(tmp_path: Path, make_recipe: Callable[..., Recipe], name: str) -> None:
    data = WIKI.encode()
    (tmp_path / name).write_bytes(bz2.compress(data) if name.endswith(".bz2") else data)
    recipe = make_recipe(
        [{"path": str(tmp_path / name), "format": "mediawiki", "domain": "encyclopedia"}]
    )
    docs, counters, _ = read_all(recipe, tmp_path)
    assert [d.id for d in docs] == ["wiki-7"]
    assert (
        docs[0].text
        == "한지(韓紙)는 닥나무 껍질로\n만든 우리 종이이다.\n역사\n삼국 시대부터 만들었다."
    )
    assert counters["dropped_wiki_redirect"] == 1 and counters["dropped_wiki_non_article"] == 1


def test_truncated_bz2_dump_is_one_unreadable_file(
    tmp_path: Path, make_recipe: Callable[..., Recipe]
) -> None:
    blob = bz2.compress(WIKI.encode() * 50)
    (tmp_path / "cut.xml.bz2").write_bytes(blob[: len(blob) // 2])
    recipe = make_recipe([{"path": str(tmp_path / "cut.xml.bz2"), "format": "mediawiki"}])
    _, counters, _ = read_all(recipe, tmp_path)
    assert counters["dropped_unreadable_file"] == 1


def test_strip_wikitext_tables_templates_links() -> None:
    text = (
        "{{정보상자|이름=한지}}\n{| class=wikitable\n| 칸 |}\n"
        "[[파일:한지.jpg|썸네일|[[전주]]의 한지]]\n[https://example.org 바깥 고리] 본문&nbsp;끝"
    )
    assert strip_wikitext(text) == "바깥 고리 본문\xa0끝"


def test_hf_local_dataset_folder(tmp_path: Path, make_recipe: Callable[..., Recipe]) -> None:
    folder = tmp_path / "ds"
    (folder / "train").mkdir(parents=True)
    (folder / "test").mkdir()
    table = pa.table({"id": ["h1"], "text": [ARTICLE]})
    for split in ("train", "test"):
        with pa.OSFile(str(folder / split / "data-00000-of-00001.arrow"), "wb") as sink:
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
    (folder / "dataset_info.json").write_text("{}")
    recipe = make_recipe([{"path": str(folder), "format": "hf", "split": "train"}])
    units = expand_sources(recipe)
    assert [u["format"] for u in units] == ["arrow"] and "train" in units[0]["path"]
    docs, _, _ = read_all(recipe, tmp_path)
    assert [d.id for d in docs] == ["h1"]


def test_missing_source_names_the_recipe_key(
    make_recipe: Callable[..., Recipe], tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "ok.jsonl", [{"text": ARTICLE}])
    recipe = make_recipe([{"path": str(tmp_path / "ok.jsonl")}, {"path": "nowhere/*.jsonl"}])
    with pytest.raises(CorpusError, match=r"corpus\.sources\[1\]\.path"):
        expand_sources(recipe)


def test_positional_ids_are_unique_per_row_and_per_source(
    tmp_path: Path, make_recipe: Callable[..., Recipe]
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        pq.write_table(
            pa.table({"text": [ARTICLE, ARTICLE + " 둘째"]}), tmp_path / name / "x.parquet"
        )
    recipe = make_recipe(
        [
            {"path": str(tmp_path / "a" / "x.parquet"), "format": "parquet"},
            {"path": str(tmp_path / "b" / "x.parquet"), "format": "parquet"},
        ]
    )
    docs, _, _ = read_all(recipe, tmp_path)
    ids = [d.id for d in docs]
    assert ids == ["source0/x.parquet:0", "source0/x.parquet:1", "source1/x.parquet:0",
                   "source1/x.parquet:1"]  # fmt: skip
