"""Step 3a: remove web furniture LINES (breadcrumbs, log-in bars, copyright notices).

The article around them stays. A line is furniture when it matches a pattern of
``data/boilerplate_ko.txt``, or when it is a menu: short items separated by `|`, `·`,
`>` or `/` with spaces around, and no sentence ending. Only short lines are candidates,
so a real sentence that mentions "무단 전재" is never cut.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep

_MENU_SEP = re.compile(r"\s+[|·•>›»/]\s+|\s*\|\s*")
_SENTENCE_END = re.compile(r"[.!?。…]\s*$|[다요죠까]\s*[.!?]?\s*$")


@lru_cache(maxsize=1)
def load_patterns() -> re.Pattern[str]:
    """The boilerplate patterns shipped with hanji, compiled into one alternation."""
    raw = resources.files("hanji.corpus").joinpath("data/boilerplate_ko.txt").read_text("utf-8")
    parts = []
    for line in raw.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            flags = "(?i)" if line.startswith("(?i)") else ""
            body = line.removeprefix("(?i)")
            parts.append(f"(?:{'(?i:' + body + ')' if flags else body})")
    return re.compile("|".join(parts))


def is_menu(line: str, max_item_chars: int = 10) -> bool:
    """Two or more short items separated by menu separators, none a sentence."""
    items = [i for i in _MENU_SEP.split(line) if i]
    if len(items) < 2:
        return False
    return all(len(i) <= max_item_chars for i in items) and not _SENTENCE_END.search(line)


class BoilerplateLines(HanjiStep):
    """Remove boilerplate lines; a document with nothing else is dropped as ``boilerplate``.

    Args:
        max_line_chars: longer lines are never treated as boilerplate.
        report_dir: folder for the per-rank ledgers.
    """

    step = "lines"

    def __init__(self, max_line_chars: int = 100, report_dir: str | None = None) -> None:
        super().__init__(report_dir)
        self.max_line_chars = max_line_chars

    def process(self, doc: Document) -> Document | str:
        pattern = load_patterns()
        lines = doc.text.split("\n")
        kept: list[str] = []
        removed = 0
        for line in lines:
            s = line.strip()
            if s and len(s) <= self.max_line_chars and (pattern.search(s) or is_menu(s)):
                removed += 1
                continue
            kept.append(line)
        if not removed:
            return doc
        self.fixed("boilerplate_lines", removed)
        self.fixed("boilerplate_docs")
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
        if not text:
            return "boilerplate"
        doc.text = text
        doc.metadata["boilerplate_lines"] = removed
        return doc
