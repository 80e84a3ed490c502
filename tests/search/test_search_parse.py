"""Readers: one per format; an unreadable file raises a ParseError that names the cause."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest

from hanji.search.filters import check_filter, matches
from hanji.search.parse import ParseError, parse

BODY = "제1조(목적) 이 규정은 한지은행의 대출 업무를 정한다."


def test_text_in_utf8_and_cp949() -> None:
    assert parse("규정.txt", BODY.encode()) == BODY
    assert parse("규정.txt", BODY.encode("cp949")) == BODY
    assert parse("규정.md", "\ufeff".encode() + BODY.encode()) == BODY
    assert parse("a.txt", unicodedata.normalize("NFD", "한지").encode()) == "한지"  # NFC


def test_html_json_jsonl() -> None:
    html = (
        "<html><head><title>x</title><script>var a='비밀';</script></head>"
        f"<body><p>{BODY}</p><div>둘째&nbsp;줄</div></body></html>"
    )
    text = parse("a.html", html.encode())
    assert BODY in text and "둘째" in text and "비밀" not in text
    data = {"title": "규정", "items": [{"body": BODY}, 3]}
    assert parse("a.json", json.dumps(data, ensure_ascii=False).encode()) == f"규정\n{BODY}"
    lines = "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["가", "나"])
    assert parse("a.jsonl", lines.encode()) == "가\n나"
    with pytest.raises(ParseError, match="line 2"):
        parse("a.jsonl", b'{"a": "b"}\n{oops\n')


def _docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_and_tables() -> None:
    text = parse("a.docx", _docx([BODY, "제2조 정의"], [["한도", "5천만 원"], ["기간", "10년"]]))
    assert BODY in text and "한도 | 5천만 원" in text and "기간 | 10년" in text


HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def hwpx(
    sections: dict[str, str], *, manifest: bool = True, listed: list[str] | None = None
) -> bytes:
    """A minimal HWPX package: mimetype, manifest (content.hpf) and section parts."""
    listed = listed if listed is not None else list(sections)
    items = "".join(
        f'<opf:item id="s{i}" href="Contents/{name}" media-type="application/xml"/>'
        for i, name in enumerate(listed)
    )
    spine = "".join(f'<opf:itemref idref="s{i}"/>' for i in range(len(listed)))
    hpf = (
        '<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
        f"<opf:manifest>{items}</opf:manifest><opf:spine>{spine}</opf:spine></opf:package>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        if manifest:
            archive.writestr("Contents/content.hpf", hpf)
        for name, xml in sections.items():
            archive.writestr(f"Contents/{name}", xml)
    return out.getvalue()


def section(*paragraphs: str) -> str:
    body = "".join(f"<hp:p><hp:run><hp:t>{p}</hp:t></hp:run></hp:p>" for p in paragraphs)
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}<hs:sec xmlns:hs="x" xmlns:hp="{HP}">{body}</hs:sec>'


def test_hwpx_sections_in_manifest_order_with_tables() -> None:
    inner = "<hp:p><hp:run><hp:t>표 안의 글</hp:t></hp:run></hp:p>"
    table = f"<hp:tbl><hp:tr><hp:tc><hp:subList>{inner}</hp:subList></hp:tc></hp:tr></hp:tbl>"
    cell = f"<hp:p><hp:run>{table}</hp:run></hp:p>"
    second = section("제2조 둘째 구역").replace("</hs:sec>", cell + "</hs:sec>")
    data = hwpx({"section0.xml": section(BODY, "제1조의2"), "section1.xml": second})
    assert parse("규정.hwpx", data).split("\n") == [
        BODY,
        "제1조의2",
        "제2조 둘째 구역",
        "표 안의 글",
    ]


@pytest.mark.parametrize(
    "data,cause",
    [
        (hwpx({"section0.xml": section(BODY)}, manifest=False), "content.hpf is missing"),
        (hwpx({}, listed=["section0.xml"]), "section0.xml is missing"),
        (hwpx({"section0.xml": "<hp:p>"}), "not well-formed"),
        (b"PK\x03\x04 broken", "not a zip"),
    ],
)
def test_broken_hwpx_names_the_cause(data: bytes, cause: str) -> None:
    with pytest.raises(ParseError, match=cause):
        parse("a.hwpx", data)


def test_pdf_text_and_a_corrupt_pdf() -> None:
    stream = b"BT /F1 12 Tf 72 720 Td (Hanji loan rules) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>stream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    assert "Hanji loan rules" in parse("a.pdf", bytes(out))
    with pytest.raises(ParseError, match="PDF"):
        parse("a.pdf", b"%PDF-1.4\n garbage that is not a pdf")


def test_empty_unknown_and_textless_files() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse("a.txt", b"")
    with pytest.raises(ParseError) as unknown:
        parse("a.exe", b"MZ")
    assert unknown.value.code == "unsupported_file"
    with pytest.raises(ParseError, match="no text"):
        parse("a.txt", b" \n\t ")
    with pytest.raises(ParseError, match="neither UTF-8 nor CP949"):
        parse("a.txt", b"\xff\xfe\xff\xfe\x80\x81")


def test_filters() -> None:
    spec = {
        "type": "and",
        "filters": [
            {"type": "eq", "key": "부서", "value": "여신"},
            {
                "type": "or",
                "filters": [
                    {"type": "gte", "key": "연도", "value": 2024},
                    {"type": "in", "key": "등급", "value": ["A"]},
                ],
            },
        ],
    }
    check_filter(spec)
    assert matches(spec, {"부서": "여신", "연도": 2025})
    assert matches(spec, {"부서": "여신", "연도": 2020, "등급": "A"})
    assert not matches(spec, {"부서": "수신", "연도": 2025})
    assert not matches(spec, {"부서": "여신", "연도": "2025"})  # types differ: no match
    with pytest.raises(ValueError, match=r"filters\.filters\[0\]\.type"):
        check_filter({"type": "and", "filters": [{"type": "like", "key": "a", "value": 1}]})


def test_hwp_that_is_not_an_ole_file_fails_and_is_never_taken_for_a_path(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("서버의 비밀 파일", encoding="utf-8")
    for data in (str(secret).encode(), b"HWP Document File" * 200):
        with pytest.raises(ParseError, match=r"not an HWP 5\.0 file"):
            parse("문서.hwp", data)
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)  # OLE magic, nothing behind it
    with pytest.raises(ParseError, match="HWP: the document could not be read"):
        parse("문서.hwp", broken)
