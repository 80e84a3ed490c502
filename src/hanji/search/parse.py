"""Files to text: one reader per format, each failure a `ParseError` that names its cause.

A failure message names the format and what went wrong (an exception's type, a missing
part), never the file's content: it is shown to the caller as ``last_error`` and recorded.
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any
from xml.etree import ElementTree

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""What the parts of a zip container (docx, hwpx) may unpack to: a zip bomb stops here."""


class ParseError(ValueError):
    """A file that cannot be read; ``code`` is OpenAI's ``last_error.code``."""

    def __init__(self, message: str, code: str = "invalid_file") -> None:
        super().__init__(message)
        self.code = code


def _decode(data: bytes, what: str) -> str:
    """UTF-8 (with or without a BOM), else CP949: the two encodings Korean text files use."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError(f"{what}: the file is neither UTF-8 nor CP949 (EUC-KR) text")


def read_text(data: bytes) -> str:
    return _decode(data, "text")


class _HTMLText(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "head"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
         "section", "article", "table", "pre", "blockquote", "dd", "dt", "title"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def read_html(data: bytes) -> str:
    parser = _HTMLText()
    parser.feed(_decode(data, "HTML"))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def read_json(data: bytes) -> str:
    try:
        value = json.loads(_decode(data, "JSON"))
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON: not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    return "\n".join(_strings(value))


def read_jsonl(data: bytes) -> str:
    out: list[str] = []
    for number, line in enumerate(_decode(data, "JSONL").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.extend(_strings(json.loads(line)))
        except json.JSONDecodeError:
            raise ParseError(f"JSONL: line {number} is not valid JSON") from None
    return "\n".join(out)


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ParseError("PDF: the file is encrypted; upload it without a password")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(f"PDF: the file could not be read ({type(exc).__name__})") from None


def _check_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ParseError(f"{what}: the file is not a zip container") from None
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise ParseError(f"{what}: the container unpacks to more than {MAX_UNPACKED_BYTES} bytes")
    return archive


def read_docx(data: bytes) -> str:
    """Paragraphs and table cells, in document order (python-docx)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, ElementTree.ParseError) as exc:
        raise ParseError(f"DOCX: the file could not be read ({type(exc).__name__})") from None
    out: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                out.append(" | ".join(cell.text for cell in row.cells))
        else:
            out.append(block.text)
    return "\n".join(out)


_HWPX_PARAGRAPH = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
_OPF = "{http://www.idpf.org/2007/opf/}"


def _hwpx_sections(archive: zipfile.ZipFile) -> list[str]:
    """Section parts in reading order, from the package manifest (Contents/content.hpf)."""
    names = set(archive.namelist())
    if "Contents/content.hpf" not in names:
        raise ParseError("HWPX: the package manifest Contents/content.hpf is missing")
    try:
        root = ElementTree.fromstring(archive.read("Contents/content.hpf"))
    except ElementTree.ParseError:
        raise ParseError("HWPX: the package manifest is not well-formed XML") from None
    hrefs = {
        item.get("id"): item.get("href", "")
        for item in root.iter()
        if item.tag.rsplit("}", 1)[-1] == "item"
    }
    spine = [ref.get("idref") for ref in root.iter() if ref.tag.rsplit("}", 1)[-1] == "itemref"]
    sections = [hrefs[i] for i in spine if i in hrefs and "section" in hrefs[i].lower()]
    if not sections:
        raise ParseError("HWPX: the manifest lists no body section")
    out = []
    for href in sections:
        path = str(PurePosixPath(href)) if href.startswith("Contents/") else f"Contents/{href}"
        if path not in names:
            raise ParseError(f"HWPX: the section part {path} is missing")
        out.append(path)
    return out


def _hwpx_text(part: bytes, path: str) -> str:
    """Text of ``<hp:t>`` runs, a line per ``<hp:p>`` (table cells and footnotes included)."""
    lines: list[str] = []
    current: list[str] = []
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(part), events=("end",)):
            tag = element.tag
            if tag == _HWPX_PARAGRAPH + "t":
                current.append(element.text or "")
                current.extend(child.tail or "" for child in element)
            elif tag == _HWPX_PARAGRAPH + "p":
                if current:
                    lines.append("".join(current))
                    current = []
                element.clear()
    except ElementTree.ParseError:
        raise ParseError(f"HWPX: the section part {path} is not well-formed XML") from None
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


def read_hwpx(data: bytes) -> str:
    """HWPX (KS X 6101): a zip of XML parts; the body is in the sections the manifest lists."""
    archive = _check_zip(data, "HWPX")
    return "\n".join(_hwpx_text(archive.read(p), p) for p in _hwpx_sections(archive))


def read_hwp(data: bytes) -> str:
    """HWP 5.0 (an OLE compound file) with hwp-hwpx-parser: body, tables, foot- and endnotes.

    Chosen over the other HWP readers on PyPI for its licence (Apache-2.0), its use of
    olefile (the well-kept OLE reader) rather than one of its own, and what it extracts
    (tables and notes too); pyhwp is AGPL and unmaintained since 2020. The reader wants a
    path; it is handed the OLE container opened from memory instead, so the decrypted file
    never touches a temporary file.
    """
    import olefile
    from hwp_hwpx_parser import HWP5Reader

    # olefile takes bytes shorter than MINIMAL_OLEFILE_SIZE for a *path*: never hand it those
    if not data.startswith(olefile.MAGIC) or len(data) < olefile.MINIMAL_OLEFILE_SIZE:
        raise ParseError("HWP: not an HWP 5.0 file (no OLE compound document)")
    reader = HWP5Reader("upload.hwp")
    try:
        reader._ole = olefile.OleFileIO(data)
        if not reader.is_valid():
            raise ParseError("HWP: the OLE container has no FileHeader stream")
        if reader.is_encrypted():
            raise ParseError("HWP: the document is password-protected")
        result = reader.extract_text_with_notes()
    except ParseError:
        raise
    except Exception as exc:  # a malformed record stream: name the error type only
        raise ParseError(f"HWP: the document could not be read ({type(exc).__name__})") from None
    finally:
        reader._close()
    notes = [n.text for n in (*result.footnotes, *result.endnotes) if n.text]
    return "\n".join([result.text, *notes])


READERS: dict[str, Callable[[bytes], str]] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".hwpx": read_hwpx,
    ".hwp": read_hwp,
}


def parse(filename: str, data: bytes) -> str:
    """The text of a file, NFC, by its extension; `ParseError` if it cannot be read."""
    suffix = PurePosixPath(filename.lower()).suffix
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ParseError(
            f"files of type '{suffix or '(none)'}' are not supported (supported: {known})",
            code="unsupported_file",
        )
    if not data:
        raise ParseError("the file is empty")
    text = unicodedata.normalize("NFC", reader(data))
    if not text.strip():
        raise ParseError(f"no text was found in the file ({suffix[1:].upper()})")
    return text
