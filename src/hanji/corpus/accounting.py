"""Accounting shared by every hanji step: named drops, fixes, examples and warnings.

datatrove already keeps per-rank counters (`stat_update`) and saves them with each
completed rank; hanji's steps use a fixed vocabulary on top of it so the final report can
prove ``kept + Σ dropped == read``:

    in / kept                 documents entering / leaving the step
    dropped_<reason>          one named reason per dropped document
    fixed_<what>              repairs that kept the document (NFD, zero-width, PII...)
    chars_in / chars_out      characters entering / leaving

What counters cannot hold — a few example drops per reason and the first warnings that
name a file and line — goes to a small JSON "ledger" per step and rank under
``report_dir``, read back by :mod:`hanji.corpus.stats`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.utils.logging import logger

EXAMPLES_PER_REASON = 3
WARNINGS_PER_REASON = 5
SNIPPET_CHARS = 160


def scrub(snippet: str) -> str:
    """Examples land in stats.json and datacard.md: never with someone's phone number in them."""
    from hanji import privacy

    return privacy.redact(snippet, privacy.detect(snippet))


def where(doc: Document) -> str:
    """``file:line`` (or ``file#row``) of a document, for warnings a person can act on."""
    meta = doc.metadata
    path = meta.get("path", "?")
    pos = meta.get("line")
    return f"{path}:{pos}" if pos is not None else str(path)


class Ledger:
    """A few example drops per reason and rate-limited warnings, for one step on one rank."""

    def __init__(self) -> None:
        self.examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.warnings: list[dict[str, str]] = []
        self.warned: Counter[str] = Counter()
        self.details: dict[str, Counter[str]] = defaultdict(Counter)

    def example(
        self, reason: str, doc_id: str, place: str, text: str, extra: dict[str, Any] | None = None
    ) -> None:
        bucket = self.examples[reason]
        if len(bucket) < EXAMPLES_PER_REASON:
            snippet = " ".join(text[: SNIPPET_CHARS * 2].split())[:SNIPPET_CHARS]
            bucket.append({"id": doc_id, "where": place, "text": scrub(snippet), **(extra or {})})

    def detail(self, reason: str, key: str) -> None:
        """Count one drop of ``reason`` under ``key`` (e.g. the language identifier's label)."""
        self.details[reason][key] += 1

    def warn(self, reason: str, place: str, message: str) -> None:
        """Log the first few warnings of each reason in full; count the rest silently."""
        self.warned[reason] += 1
        if self.warned[reason] <= WARNINGS_PER_REASON:
            logger.warning(f"{place}: {message}")
            self.warnings.append({"reason": reason, "where": place, "message": message})

    def save(self, report_dir: str | None, step: str, rank: int) -> None:
        if not report_dir:
            return
        path = Path(report_dir) / step / f"{rank:05d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "examples": self.examples,
            "warnings": self.warnings,
            "warned": self.warned,
            "details": self.details,
        }
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


class HanjiStep(PipelineStep):
    """A datatrove step that keeps hanji's counters and ledger.

    Subclasses implement :meth:`process`, returning the (possibly changed) document to
    keep it or a reason string to drop it; the base owns counting, examples and saving.

    Args:
        report_dir: folder for the per-rank ledgers (None: keep none).
    """

    type = "🇰🇷 - HANJI"
    step: str = "step"
    """Short key of the step in stats.json (also the ledger folder name)."""

    def __init__(self, report_dir: str | None = None) -> None:
        super().__init__()
        self.report_dir = report_dir
        self.ledger = Ledger()

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"hanji {self.step}"

    def process(self, doc: Document) -> Document | str:
        raise NotImplementedError

    def drop(self, doc: Document, reason: str) -> None:
        self.stat_update(f"dropped_{reason}")
        self.ledger.example(reason, doc.id, where(doc), doc.text)

    def fixed(self, what: str, value: int = 1) -> None:
        self.stat_update(f"fixed_{what}", value=value)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self.ledger = Ledger()
        for doc in data or ():
            self.stat_update("in")
            self.stat_update("chars_in", value=len(doc.text))
            with self.track_time():
                result = self.process(doc)
            if isinstance(result, str):
                self.drop(doc, result)
                continue
            self.stat_update("kept")
            self.stat_update("chars_out", value=len(result.text))
            yield result
        self.ledger.save(self.report_dir, self.step, rank)


class KoreanFilter(BaseFilter):
    """A datatrove ``BaseFilter`` whose subclasses answer one question: why drop this?

    Subclasses implement :meth:`check` returning ``None`` (keep) or a reason; BaseFilter
    turns the reason into a ``dropped_<reason>`` counter and this class keeps examples.

    Args:
        report_dir: folder for the per-rank ledgers (None: keep none).
    """

    step: str = "filter"
    ledger_fields: tuple[str, ...] = ()
    """Metadata keys (set by :meth:`check`) copied into each example drop of the ledger."""

    def __init__(self, report_dir: str | None = None) -> None:
        super().__init__()
        self.report_dir = report_dir
        self.ledger = Ledger()

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"hanji {self.step}"

    def check(self, doc: Document) -> str | None:
        raise NotImplementedError

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        reason = self.check(doc)
        if reason is None:
            return True
        extra = {k: doc.metadata[k] for k in self.ledger_fields if k in doc.metadata}
        self.ledger.example(reason, doc.id, where(doc), doc.text, extra)
        return False, reason

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self.ledger = Ledger()

        def counted() -> DocumentsPipeline:
            for doc in data or ():
                self.stat_update("chars_in", value=len(doc.text))
                yield doc

        yield from super().run(counted(), rank, world_size)
        self.ledger.save(self.report_dir, self.step, rank)
