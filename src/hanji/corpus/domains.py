"""Step 7: domain tags. A source's domain wins; ``auto`` sources get a light classifier.

The classifier is multinomial naive Bayes over two kinds of surface features that set the
five kinds of Korean text apart without morphological analysis: character bigrams (topic
and register: 밝혔, 기자, 알아, ㅋㅋ) and the last syllable of each eojeol (style of
ending: news 다, chat 요/ㅋ, textbook 자). Its counts, ``data/domain_nb.tsv``, come from
hanji's own sample corpus (training split) and are rebuilt with

    python -m hanji.corpus.domains data/sample/train/*.jsonl

A text with too little Hangul to judge is tagged ``other``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from datatrove.data import Document

from hanji.corpus.accounting import HanjiStep

DOMAINS = ("textbook", "encyclopedia", "news", "literature", "neologism")
MODEL_FILE = "data/domain_nb.tsv"
MIN_FEATURE_COUNT = 3
_SPACES = re.compile(r"\s+")


def features(text: str) -> Counter[str]:
    """Character bigrams and eojeol-final syllables of ``text``."""
    flat = _SPACES.sub(" ", text)
    out: Counter[str] = Counter(flat[i : i + 2] for i in range(len(flat) - 1))
    out.update("$" + w[-1] for w in flat.split())
    return out


def count_features(records: Iterable[dict]) -> dict[str, list[int]]:
    """Feature counts per domain (in DOMAINS order), keeping features seen often enough."""
    per_domain = {d: Counter() for d in DOMAINS}
    for rec in records:
        if rec.get("domain") in per_domain:
            per_domain[rec["domain"]].update(features(rec["text"]))
    total: Counter[str] = Counter()
    for c in per_domain.values():
        total.update(c)
    keep = sorted(f for f, n in total.items() if n >= MIN_FEATURE_COUNT and "\t" not in f)
    return {f: [per_domain[d][f] for d in DOMAINS] for f in keep}


@lru_cache(maxsize=1)
def load_model() -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
    """Log-probabilities per feature and domain (Laplace-smoothed), and the unseen-feature one."""
    raw = resources.files("hanji.corpus").joinpath(MODEL_FILE).read_text("utf-8")
    counts: dict[str, list[int]] = {}
    for line in raw.splitlines():
        if line and not line.startswith("#"):
            feat, *nums = line.split("\t")
            counts[json.loads(feat)] = [int(n) for n in nums]
    totals = [sum(c[i] for c in counts.values()) + len(counts) for i in range(len(DOMAINS))]
    logp = {
        f: tuple(math.log((c[i] + 1) / totals[i]) for i in range(len(DOMAINS)))
        for f, c in counts.items()
    }
    return logp, tuple(math.log(1 / t) for t in totals)


def classify(text: str, min_features: int = 20) -> str:
    """The most likely of the five domains, or ``other`` with fewer than ``min_features`` known."""
    logp, _ = load_model()
    scores = [0.0] * len(DOMAINS)
    seen = 0
    for feat, n in features(text).items():
        probs = logp.get(feat)
        if probs is None:
            continue
        seen += n
        for i, p in enumerate(probs):
            scores[i] += n * p
    if seen < min_features:
        return "other"
    return DOMAINS[max(range(len(DOMAINS)), key=scores.__getitem__)]


class DomainTagger(HanjiStep):
    """Set ``metadata['domain']``: the source's domain, or the classifier's for ``auto``.

    Args:
        report_dir: folder for the per-rank ledgers.
    """

    step = "domain"

    def process(self, doc: Document) -> Document | str:
        domain = doc.metadata.get("domain") or "auto"
        if domain == "auto":
            domain = classify(doc.text)
            self.fixed("auto_tagged")
        doc.metadata["domain"] = domain
        self.stat_update(f"domain_{domain}")
        return doc


def main(paths: list[str]) -> None:
    """Rebuild data/domain_nb.tsv from JSONL files with ``text`` and ``domain``."""
    records = (json.loads(line) for p in paths for line in Path(p).read_text("utf-8").splitlines())
    counts = count_features(records)
    target = Path(__file__).parent / MODEL_FILE
    header = "# feature (JSON string)\t" + "\t".join(DOMAINS) + "\n"
    body = "".join(
        json.dumps(f, ensure_ascii=False) + "\t" + "\t".join(map(str, c)) + "\n"
        for f, c in counts.items()
    )
    target.write_text(header + body, encoding="utf-8")
    print(f"{len(counts)} features -> {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
