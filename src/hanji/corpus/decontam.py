"""Step 6: drop training documents that share a long n-gram with evaluation text.

n-grams are eojeol (whitespace tokens) of the text lower-cased and stripped of
punctuation; 8 eojeol carry about as much text as the 13 English words of common
decontamination practice. The index is built once per worker from the recipe's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep

_PUNCT = re.compile(r"[^\w\s]+")


def words(text: str) -> list[str]:
    return _PUNCT.sub(" ", text.lower()).split()


def ngrams(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return (tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


class Decontaminate(HanjiStep):
    """Drop documents that contain any ``n``-eojeol sequence of the evaluation files.

    Args:
        files: evaluation/held-out files (JSONL with a text field, Parquet or .txt).
        n: n-gram length in eojeol.
        report_dir: folder for the per-rank ledgers.
    """

    step = "decontam"

    def __init__(self, files: Iterable[str], n: int = 8, report_dir: str | None = None) -> None:
        super().__init__(report_dir)
        self.files = [str(f) for f in files]
        self.n = n
        self._index: set[int] | None = None

    def index(self) -> set[int]:
        if self._index is None:
            from hanji.textfiles import iter_texts

            self._index = set()
            for text in iter_texts(self.files):
                self._index.update(hash(g) for g in ngrams(words(text), self.n))
        return self._index

    def process(self, doc: Document) -> Document | str:
        if not self.files:
            return doc
        index = self.index()
        if any(hash(g) in index for g in ngrams(words(doc.text), self.n)):
            return "contaminated"
        return doc
