"""Step 5: scrub personal data with `hanji.privacy` (redact, mask or drop the document)."""

from __future__ import annotations

from typing import Literal

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep

PiiMode = Literal["redact", "mask", "drop-document", "off"]


class PiiScrub(HanjiStep):
    """Find Korean PII (주민등록번호, phone numbers, e-mail, accounts...) and scrub it.

    Args:
        mode: ``redact`` replaces each identifier by its type tag, ``mask`` hides most of
            its characters, ``drop-document`` drops the document as ``pii``, ``off`` skips.
        types: entity types to look for (None: every type `hanji.privacy` knows).
        report_dir: folder for the per-rank ledgers.
    """

    step = "pii"

    def __init__(
        self,
        mode: PiiMode = "redact",
        types: tuple[str, ...] | None = None,
        report_dir: str | None = None,
    ) -> None:
        super().__init__(report_dir)
        if mode not in ("redact", "mask", "drop-document", "off"):
            raise ValueError(f"corpus.pii_mode: unknown mode {mode!r}")
        self.mode = mode
        self.types = types

    def process(self, doc: Document) -> Document | str:
        if self.mode == "off":
            return doc
        from hanji import privacy

        entities = privacy.detect(doc.text, types=self.types)
        if not entities:
            return doc
        for ent in entities:
            self.stat_update(f"pii_{ent.type}".lower())
        if self.mode == "drop-document":
            return "pii"
        self.fixed("pii_docs")
        self.fixed("pii_entities", len(entities))
        scrub = privacy.redact if self.mode == "redact" else privacy.mask
        doc.text = scrub(doc.text, entities)
        return doc
