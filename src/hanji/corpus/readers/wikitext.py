"""Strip MediaWiki markup to plain text, the way Korean Wikipedia articles are written.

Not a full parser: templates, tables, references, files and categories go; links keep
their label; headings and list items keep their words. Sections that only hold
references or links (각주, 같이 보기, 외부 링크...) are cut off.
"""

from __future__ import annotations

import html
import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DROP_TAGS = re.compile(
    r"<(ref|math|gallery|syntaxhighlight|source|score|timeline|imagemap|references)\b[^>]*?"
    r"(?:/>|>.*?</\1\s*>)",
    re.S | re.I,
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_TABLE = re.compile(r"\{\|(?:(?!\{\|).)*?\|\}", re.S)
_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_EXT_LINK = re.compile(r"\[(?:https?:)?//[^\s\]]+(?:\s+([^\]]*))?\]")
_BOLD_ITALIC = re.compile(r"'{2,5}")
_HEADING = re.compile(r"^(={1,6})\s*(.*?)\s*\1\s*$", re.M)
_LIST = re.compile(r"^[*#:;]+\s*", re.M)
_MAGIC = re.compile(r"__[A-Z]+__")
_BLANKS = re.compile(r"\n{3,}")
_DROP_NS = (
    "file:", "image:", "파일:", "그림:", "category:", "분류:", "media:", "미디어:", "ko:", "en:",
)  # fmt: skip
_TAIL_SECTIONS = re.compile(
    r"^=+\s*(각주|주석|같이 보기|함께 보기|외부 링크|참고 문헌|참고 자료|관련 항목|출처"
    r"|references|see also|external links|notes)\s*=+\s*$",
    re.M | re.I,
)


def _link(match: re.Match[str]) -> str:
    inner = match.group(1)
    if inner.lower().startswith(_DROP_NS):
        return ""
    return inner.rsplit("|", 1)[-1]


def _until_stable(pattern: re.Pattern[str], repl: str, text: str, limit: int = 20) -> str:
    for _ in range(limit):
        text, n = pattern.subn(repl, text)
        if not n:
            break
    return text


def strip_wikitext(text: str) -> str:
    """Plain text of an article's wikitext."""
    cut = _TAIL_SECTIONS.search(text)
    if cut:
        text = text[: cut.start()]
    text = _COMMENT.sub("", text)
    text = _DROP_TAGS.sub("", text)
    text = _until_stable(_TEMPLATE, "", text)
    text = _until_stable(_TABLE, "", text)
    for _ in range(5):  # nested links inside file captions
        text, n = _LINK.subn(_link, text)
        if not n:
            break
    text = _EXT_LINK.sub(lambda m: m.group(1) or "", text)
    text = _TAG.sub("", text)
    text = _BOLD_ITALIC.sub("", text)
    text = _HEADING.sub(lambda m: m.group(2), text)
    text = _LIST.sub("", text)
    text = _MAGIC.sub("", text)
    text = html.unescape(text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
