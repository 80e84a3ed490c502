"""Step 3c: spam blocklist (gambling, adult, loans, advertising) kept as a data file.

Spam hides from blocklists by spacing and punctuating words ("바 카 라", "먹.튀"), so both
the text and the phrases are compared with spaces and punctuation removed. The phrases
only spam uses carry weight 3. Words that ordinary text also uses (할인, 문의, 충전, 대출)
carry weight 1 and only count in numbers: without any weight-3 phrase they drop a
document only when they also cover a large share of it (keyword stuffing), so a news
item or meeting notes about a discount sale and customer inquiries stay.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from datatrove.data import Document

from hanji.corpus.accounting import KoreanFilter

_SQUEEZE = re.compile(r"[\s\W_]+")
_URL = re.compile(r"https?://|www\.|\.com\b|\.kr\b|\.net\b", re.I)


def squeeze(text: str) -> str:
    """Lower-case text without spaces, punctuation or symbols."""
    return _SQUEEZE.sub("", text.lower())


@lru_cache(maxsize=4)
def load_blocklist(name: str = "spam_ko.txt") -> tuple[re.Pattern[str], dict[str, int]]:
    """The blocklist as one regex (longest phrases first) and each phrase's weight."""
    raw = resources.files("hanji.corpus").joinpath(f"data/{name}").read_text("utf-8")
    weights: dict[str, int] = {}
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        weight, phrase = line.split("\t", 1)
        weights[squeeze(phrase)] = int(weight)
    alternation = "|".join(re.escape(p) for p in sorted(weights, key=len, reverse=True))
    return re.compile(alternation), weights


class SpamFilter(KoreanFilter):
    """Drop documents whose blocklist score or link density says they are spam.

    Args:
        threshold: score (Σ weight × hits, at most ``max_hits`` per phrase) that drops a
            document as ``spam``.
        max_hits: repeats of one phrase that still add to the score.
        min_weak_share: without a weight-3 phrase, the share of characters (spaces and
            punctuation removed) that weight-1 words must cover before they can drop a document.
        max_urls_per_1000: links per 1,000 characters; above: ``links``.
        report_dir: folder for the per-rank ledgers.
    """

    step = "spam"

    def __init__(
        self,
        threshold: int = 6,
        max_hits: int = 3,
        min_weak_share: float = 0.2,
        max_urls_per_1000: float = 3.0,
        report_dir: str | None = None,
    ) -> None:
        super().__init__(report_dir)
        self.threshold = threshold
        self.max_hits = max_hits
        self.min_weak_share = min_weak_share
        self.max_urls_per_1000 = max_urls_per_1000

    def score(self, text: str) -> int:
        """Σ weight × hits (capped per phrase); 0 when only sparse weight-1 words matched."""
        pattern, weights = load_blocklist()
        squeezed = squeeze(text)
        hits: dict[str, int] = {}
        for match in pattern.finditer(squeezed):
            hits[match.group()] = hits.get(match.group(), 0) + 1
        if all(weights[p] == 1 for p in hits):
            covered = sum(len(p) * n for p, n in hits.items())
            if covered < self.min_weak_share * len(squeezed):
                return 0
        return sum(weights[p] * min(n, self.max_hits) for p, n in hits.items())

    def check(self, doc: Document) -> str | None:
        text = doc.text
        if len(_URL.findall(text)) * 1000 / max(len(text), 1) > self.max_urls_per_1000:
            return "links"
        if self.score(text) >= self.threshold:
            return "spam"
        return None
