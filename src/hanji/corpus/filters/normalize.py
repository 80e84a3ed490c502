"""Step 1: normalise with `hanji.text.normalize`, counting what it had to repair."""

from __future__ import annotations

import re
import unicodedata

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep, where

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


class Normalize(HanjiStep):
    """NFC, invisibles, spaces and line endings; NFD and zero-width input is counted and warned.

    Args:
        report_dir: folder for the per-rank ledgers.
    """

    step = "normalise"

    def process(self, doc: Document) -> Document | str:
        from hanji.text import normalize

        text = doc.text
        if not text.isascii():
            if not unicodedata.is_normalized("NFC", text):
                self.fixed("nfd")
                self.ledger.warn(
                    "nfd", where(doc), "text is not NFC (decomposed Hangul); normalised"
                )
            if _ZERO_WIDTH.search(text):
                self.fixed("zero_width")
                self.ledger.warn("zero_width", where(doc), "zero-width characters removed")
        doc.text = normalize(text)
        if not doc.text.strip():
            return "empty_text"
        return doc
