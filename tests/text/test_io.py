"""The one reader: JSONL, Parquet, text and folders; NFC always; bad lines raise or are counted."""

from __future__ import annotations

import json
import unicodedata

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hanji.text.io import (
    ReadError,
    ReadStats,
    count_documents,
    expand,
    iter_records,
    iter_rows,
    iter_texts,
    paragraphs,
    read_jsonl,
)


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


# -- one policy for bad lines: raise (naming file:line and field) or skip (counted) ----------


def _mixed_jsonl(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        (json.dumps({"text": "오늘도 갓생 산다."}, ensure_ascii=False) + "\n").encode()
        + b'{"text": "\xea\xb0 broken utf-8"}\n'
        + b"{not json\n"
        + (json.dumps({"title": "제목만 있다"}, ensure_ascii=False) + "\n").encode()
        + (json.dumps({"text": "  "}) + "\n").encode()
        + (json.dumps({"text": "점메추 부탁해."}, ensure_ascii=False) + "\n").encode()
    )
    return path


def test_raise_names_file_line_and_field(tmp_path):
    path = _mixed_jsonl(tmp_path)
    with pytest.raises(ReadError, match=r"mixed\.jsonl:2: not UTF-8"):
        list(iter_texts([path]))
    path.write_text(
        '{"text": "첫 줄"}\n{"title": "본문 없음"}\n', encoding="utf-8"
    )  # a record without the field
    with pytest.raises(ReadError, match=r"mixed\.jsonl:2: no string field 'text'"):
        list(iter_texts([path]))
    path.write_text('{"text": "첫 줄"}\n{"text": 3\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"mixed\.jsonl:2: not valid JSON"):
        list(iter_texts([path]))


def test_skip_counts_every_bad_line_by_reason(tmp_path):
    path = _mixed_jsonl(tmp_path)
    stats = ReadStats()
    texts = list(iter_texts([path], on_error="skip", stats=stats))
    assert texts == ["오늘도 갓생 산다.", "점메추 부탁해."]
    assert stats.documents == 2 and stats.chars == sum(map(len, texts))
    assert stats.skipped == {"bad_utf8": 1, "bad_json": 1, "no_text": 2}
    assert stats.where[:2] == [f"{path}:2 (bad_utf8)", f"{path}:3 (bad_json)"]


def test_an_empty_text_is_no_document_under_either_policy(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text('{"text": "서울은 맑다."}\n{"text": ""}\n', encoding="utf-8")
    for policy in ("raise", "skip"):
        stats = ReadStats()
        assert list(iter_texts([path], on_error=policy, stats=stats)) == ["서울은 맑다."]
        assert stats.skipped == {"no_text": 1}


def test_parquet_without_the_column(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"body": ["한국어 문서", "또 하나"]}), path)
    with pytest.raises(ReadError, match=r"p\.parquet: no column 'text'"):
        list(iter_texts([path]))
    stats = ReadStats()
    assert list(iter_texts([path], on_error="skip", stats=stats)) == []
    assert stats.skipped == {"parquet_without_text_column": 2}


def test_unknown_policy_is_refused(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "가"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="on_error"):
        list(iter_texts([path], on_error="ignore"))  # type: ignore[arg-type]


# -- .txt: blank lines separate documents; without any, one document per line --------------


def test_text_with_blank_lines_keeps_paragraphs_whole(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("첫 문단 첫 줄.\n첫 문단 둘째 줄.\n\n둘째 문단.\n", encoding="utf-8")
    recs = list(iter_records(path))
    assert [r["text"] for r in recs] == ["첫 문단 첫 줄.\n첫 문단 둘째 줄.", "둘째 문단."]
    assert [r["id"] for r in recs] == ["p-0", "p-1"]


def test_windows_line_ends_split_the_same_way(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("하나.\r\n둘.\r\n\r\n셋.\r\n".encode())
    assert list(iter_texts([path])) == ["하나.\n둘.", "셋."]


def test_paragraph_rule():
    assert paragraphs("가.\n나.") == ["가.", "나."]
    assert paragraphs("가.\n나.\n\n다.") == ["가.\n나.", "다."]
    assert paragraphs("\n\n  \n") == []


# -- NFC always ------------------------------------------------------------------------------


def test_every_string_of_a_record_comes_out_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "갓생")
    path = tmp_path / "r.jsonl"
    rec = {"text": f"{nfd}을 산다.", "domain": nfd, "tags": [nfd], "meta": {"word": nfd}}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (got,) = list(iter_records(path))
    assert got == {
        "text": "갓생을 산다.",
        "domain": "갓생",
        "tags": ["갓생"],
        "meta": {"word": "갓생"},
    }
    txt = tmp_path / "t.txt"
    txt.write_text(unicodedata.normalize("NFD", "한국어 문장."), encoding="utf-8")
    assert list(iter_texts([txt])) == ["한국어 문장."]


def test_read_jsonl_gives_line_numbers(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"a": "가"}\n\n["나"]\n', encoding="utf-8")
    assert list(read_jsonl(path)) == [(1, {"a": "가"}), (3, ["나"])]


def test_iter_rows_reads_csv_json_lists_and_parquet(tmp_path):
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("question,answer\n한국의 수도는?,서울\n", encoding="utf-8-sig")
    assert list(iter_rows(csv_path)) == [(2, {"question": "한국의 수도는?", "answer": "서울"})]
    js = tmp_path / "t.json"
    js.write_text(json.dumps([{"q": unicodedata.normalize("NFD", "부산")}]), encoding="utf-8")
    assert list(iter_rows(js)) == [(1, {"q": "부산"})]
    pqf = tmp_path / "t.parquet"
    pq.write_table(pa.table({"q": ["대구"]}), pqf)
    assert list(iter_rows(pqf)) == [(1, {"q": "대구"})]


def test_iter_rows_reads_tsv_one_json_record_and_json_lines_named_json(tmp_path):
    tsv = tmp_path / "t.tsv"
    tsv.write_text("질문\t답\n가장 큰 섬은?\t제주도\n", encoding="utf-8")
    assert list(iter_rows(tsv)) == [(2, {"질문": "가장 큰 섬은?", "답": "제주도"})]
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"q": "광주"}, ensure_ascii=False, indent=2), encoding="utf-8")
    assert list(iter_rows(one)) == [(1, {"q": "광주"})]
    lines = tmp_path / "lines.json"
    lines.write_text('{"q": "울산"}\n{"q": "세종"}\n', encoding="utf-8")
    assert list(iter_rows(lines)) == [(1, {"q": "울산"}), (2, {"q": "세종"})]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"q": "대전"},\n {"q": ]\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"broken\.json:2"):
        list(iter_rows(broken))
    stats = ReadStats()
    assert list(iter_rows(broken, on_error="skip", stats=stats)) == []
    assert stats.skipped == {"bad_json": 1}


def test_globs_expand(tmp_path):
    for name in ("a.jsonl", "b.jsonl", "c.txt"):
        (tmp_path / name).write_text('{"text": "가"}\n', encoding="utf-8")
    assert [p.name for p in expand([tmp_path / "*.jsonl"])] == ["a.jsonl", "b.jsonl"]


def test_a_json_list_of_documents_reads_as_records(tmp_path):
    """iter_records and iter_rows agree on a .json file: one document (a list), not lines."""
    path = tmp_path / "docs.json"
    docs = [{"text": "첫째 문서입니다."}, {"text": "둘째 문서입니다."}]
    path.write_text(json.dumps(docs, ensure_ascii=False, indent=2), encoding="utf-8")
    assert list(iter_texts([path])) == ["첫째 문서입니다.", "둘째 문서입니다."]
