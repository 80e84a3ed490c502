"""JSONL, Parquet, text and folders; every skipped record is counted by reason."""

from __future__ import annotations

import json
import unicodedata

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hanji.text.io import ReadStats, count_documents, expand, iter_texts


def test_formats_and_folders(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": "갓생을 산다."}, ensure_ascii=False)
        + "\n{broken\n"
        + json.dumps({"id": 3})
        + "\n",
        encoding="utf-8",
    )
    shard = tmp_path / "shards" / "neologism"
    shard.mkdir(parents=True)
    pq.write_table(
        pa.table({"id": ["1", "2"], "text": ["꾸안꾸가 좋다.", ""]}), shard / "00000.parquet"
    )
    (tmp_path / "b.txt").write_text("첫 문단이다.\n\n둘째 문단이다.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("무시된다", encoding="utf-8")
    stats = ReadStats()
    texts = list(iter_texts([tmp_path], on_error="skip", stats=stats))
    assert texts == ["갓생을 산다.", "첫 문단이다.", "둘째 문단이다.", "꾸안꾸가 좋다."]
    assert stats.documents == 4
    assert stats.skipped == {"bad_json": 1, "no_text": 2}
    assert stats.where == [
        f"{tmp_path / 'a.jsonl'}:2 (bad_json)",
        f"{tmp_path / 'a.jsonl'}:3 field 'text' (no_text)",
        f"{shard / '00000.parquet'}:row 2 column 'text' (no_text)",
    ]
    assert not any("갓생" in w or "꾸안꾸" in w for w in stats.where)
    assert count_documents(expand([tmp_path])) == 7


def test_text_without_blank_lines_is_one_document_per_line(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("하나.\n둘.\n셋.\n", encoding="utf-8")
    assert list(iter_texts([path])) == ["하나.", "둘.", "셋."]


def test_nfd_input_comes_out_nfc(tmp_path):
    path = tmp_path / "nfd.jsonl"
    nfd = unicodedata.normalize("NFD", "점메추")
    path.write_text(json.dumps({"text": nfd}) + "\n", encoding="utf-8")
    assert list(iter_texts([path])) == ["점메추"]


def test_missing_input_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="없는파일"):
        expand([tmp_path / "없는파일.jsonl"])
