"""MediaWiki XML dumps (``pages-articles.xml`` or ``.xml.bz2``), streamed page by page.

Redirects and pages outside the article namespace are read and counted as
``wiki_redirect`` / ``wiki_non_article`` (expected, so without a warning); a truncated
dump stops with one ``unreadable_file`` naming the line it reached.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanji.corpus.readers.base import Bad, Position, Record, open_binary
from hanji.corpus.readers.wikitext import strip_wikitext


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _page(elem: ET.Element) -> dict[str, Any]:
    page: dict[str, Any] = {"redirect": False, "text": ""}
    for child in elem:
        tag = _local(child.tag)
        if tag in ("title", "ns", "id"):
            page[tag] = (child.text or "").strip()
        elif tag == "redirect":
            page["redirect"] = True
        elif tag == "revision":
            for part in child:
                if _local(part.tag) == "text":
                    page["text"] = part.text or ""
    return page


def iter_mediawiki(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    seen = False
    try:
        with open_binary(path) as fh:
            for _, elem in ET.iterparse(fh, events=("end",)):
                if _local(elem.tag) != "page":
                    continue
                seen = True
                page = _page(elem)
                elem.clear()
                pos = page.get("id") or page.get("title")
                if page.get("ns", "0") != "0":
                    yield pos, Bad("wiki_non_article", f"namespace {page.get('ns')}", warn=False)
                elif page["redirect"] or page["text"].lstrip().lower().startswith(
                    ("#redirect", "#넘겨주기")
                ):
                    yield pos, Bad("wiki_redirect", "redirect page", warn=False)
                else:
                    yield (
                        pos,
                        {
                            "id": f"wiki-{page.get('id') or page.get('title')}",
                            "title": page.get("title"),
                            "text": strip_wikitext(page["text"]),
                        },
                    )
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        yield None, Bad("unreadable_file", f"XML broken at line {line} ({exc})")
        return
    except (OSError, EOFError) as exc:
        yield None, Bad("unreadable_file", f"stopped reading: {exc}")
        return
    if not seen:
        yield None, Bad("empty_file", "no <page> elements")
