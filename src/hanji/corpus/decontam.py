"""Step 6: drop training documents that share a long n-gram with evaluation text.

n-grams are eojeol (whitespace tokens) of the text lower-cased and stripped of
punctuation; 8 eojeol carry about as much text as the 13 English words of common
decontamination practice. Evaluation files are read whatever their fields: every string
of a JSONL/JSON/Parquet record (question, passage, choices...), every CSV cell, or the
whole of a text file. The index is built once per worker from the recipe's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep
from hanji.corpus.readers.sources import CorpusError
from hanji.text.io import ReadError, iter_rows, nfc

_PUNCT = re.compile(r"[^\w\s]+")


def words(text: str) -> list[str]:
    return _PUNCT.sub(" ", text.lower()).split()


def ngrams(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return (tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):  # keys too: a CSV header is a row of cells
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _read(path: Path) -> Iterator[str]:
    """Every string of every record (JSONL/JSON, Parquet, CSV/TSV), or a text file whole."""
    if path.suffix.lower() in (".jsonl", ".json", ".parquet", ".csv", ".tsv"):
        for _, record in iter_rows(path):
            yield from _strings(record)
    else:
        yield nfc(path.read_text("utf-8"))


def eval_texts(path: str | Path) -> Iterator[str]:
    """Every string of one evaluation file; a file that cannot be read raises CorpusError."""
    try:
        yield from _read(Path(path))
    except ReadError as exc:
        raise CorpusError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    except Exception as exc:  # pyarrow raises several types for a damaged Parquet file
        if Path(path).suffix.lower() != ".parquet":
            raise
        raise CorpusError(f"{path}: not a readable Parquet file ({exc})") from None


def check_files(files: Iterable[str], n: int = 8) -> dict[str, int]:
    """Read every file once before the run (errors name the file); n-grams per file."""
    return {str(f): sum(max(0, len(words(t)) - n + 1) for t in eval_texts(f)) for f in files}


class Decontaminate(HanjiStep):
    """Drop documents that contain any ``n``-eojeol sequence of the evaluation files.

    Args:
        files: evaluation/held-out files (JSONL/JSON, Parquet, CSV/TSV or plain text).
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
            self._index = set()
            for path in self.files:
                for text in eval_texts(path):
                    self._index.update(hash(g) for g in ngrams(words(text), self.n))
        return self._index

    def process(self, doc: Document) -> Document | str:
        if not self.files:
            return doc
        index = self.index()
        if any(hash(g) in index for g in ngrams(words(doc.text), self.n)):
            return "contaminated"
        return doc
