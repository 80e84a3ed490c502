"""Step 4: exact dedup on normalised text, then MinHash near-dup on Hangul character shingles.

Both are datatrove's own stages (signature → find → filter); hanji only supplies the
Korean parts. Word shingles suit English, but a Korean eojeol changes with every particle
(학교가/학교를/학교에서), so near-dup signatures use character 5-grams of the text with
spaces and punctuation removed. Exact duplicates keep their first occurrence in input
order (the lowest work unit wins), so a rerun keeps the same copy.
"""

from __future__ import annotations

import re

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.dedup.exact_dedup import ExactDedupConfig, ExactDedupFilter
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.utils.hashing import HashConfig

from hanji.corpus.accounting import Ledger, where

HASH = HashConfig(precision=64, hash_fc="sha1")
_NOT_WORD = re.compile(r"[\W_]+")
_ROLL = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SIG_CHUNK = 8192


def dedup_text(doc: Document) -> str:
    """What exact dedup compares: the normalised text with whitespace runs collapsed."""
    return " ".join(doc.text.split())


def first_wins(doc: Document) -> int:
    """Priority for exact dedup: earlier work units win (datatrove keeps the highest)."""
    return max(1, 65535 - min(int(doc.metadata.get("unit", 0)), 65534))


def exact_config() -> ExactDedupConfig:
    return ExactDedupConfig(
        content_getter=dedup_text, document_priority=first_wins, hash_config=HASH
    )


def minhash_config(n_grams: int = 5) -> MinhashConfig:
    """14 bands × 8 hashes: pairs above ~0.75 Jaccard are caught with high probability."""
    return MinhashConfig(n_grams=n_grams, num_buckets=14, hashes_per_bucket=8, hash_config=HASH)


def char_shingles(text: str, n: int) -> np.ndarray:
    """Hashed character n-grams of the text without spaces/punctuation, as uint64 (k, 1)."""
    s = _NOT_WORD.sub("", text.lower())
    if len(s) < n:
        return np.zeros((0, 1), dtype=np.uint64)
    cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    m = len(cps) - n + 1
    with np.errstate(over="ignore"):
        h = cps[:m].copy()
        for k in range(1, n):
            h = h * _ROLL + cps[k : m + k]
        h = np.unique(h)
        h ^= h >> np.uint64(31)
        h *= _MIX1
        h ^= h >> np.uint64(27)
        h *= _MIX2
        h ^= h >> np.uint64(33)
    return h.reshape((-1, 1))


class KoreanMinhashSignature(MinhashDedupSignature):
    """datatrove's MinHash stage 1 with Korean character shingles and bounded memory.

    Args:
        output_folder: where the signature buckets go.
        config: MinHash settings; ``config.n_grams`` is the shingle length in characters.
    """

    name = "hanji near_dedup signatures"

    def __init__(self, output_folder: str, config: MinhashConfig | None = None) -> None:
        # "kor_Hang" only selects a lazily loaded word tokenizer that is never used here.
        super().__init__(output_folder, config=config or minhash_config(), language="kor_Hang")

    def get_shingles(self, text: str) -> np.ndarray:
        return char_shingles(text, self.config.n_grams)

    def get_signature(self, shingles: np.ndarray) -> list[list[int]]:
        """MinHash with ``a·x + b mod 2^64`` permutations (odd ``a``), in bounded chunks.

        The shingles are already well mixed (splitmix64), so multiply-add permutations do
        the job of datatrove's ``mod (2^61 - 1)`` ones at a third of the cost.
        """
        a, b = self.parameters
        a = a | np.uint64(1)  # odd multipliers: a bijection on 64-bit values
        best = None
        with np.errstate(over="ignore"):
            for start in range(0, len(shingles), _SIG_CHUNK):
                phv = shingles[start : start + _SIG_CHUNK] * a + b
                low = phv.min(axis=0)
                best = low if best is None else np.minimum(best, low)
        assert best is not None
        return [x.tolist() for x in np.split(best.astype(np.uint64), self.config.num_buckets)]


class DropExamples:
    """Stands in for datatrove's ``exclusion_writer``: keeps a few dropped documents as examples.

    Args:
        reason: the drop reason the examples are filed under.
        step: ledger folder name.
        report_dir: folder for the per-rank ledgers.
    """

    def __init__(self, reason: str, step: str, report_dir: str | None) -> None:
        self.reason = reason
        self.step = step
        self.report_dir = report_dir
        self.ledger = Ledger()
        self.rank: int | None = None

    def __enter__(self) -> DropExamples:
        self.ledger = Ledger()
        self.rank = None
        return self

    def write(self, doc: Document, rank: int = 0, **_: object) -> None:
        self.rank = rank
        self.ledger.example(self.reason, doc.id, where(doc), doc.text)

    def __exit__(self, *exc: object) -> None:
        if self.rank is not None:
            self.ledger.save(self.report_dir, self.step, self.rank)


class ExactDuplicates(ExactDedupFilter):
    """datatrove's exact-dedup stage 3, counting its drops as ``exact_duplicate``.

    Args:
        data_folder: the duplicates found by stage 2.
        config: the same config as stages 1 and 2.
        report_dir: folder for the per-rank ledgers.
    """

    name = "hanji exact_dedup"

    def __init__(
        self, data_folder: str, config: ExactDedupConfig, report_dir: str | None = None
    ) -> None:
        examples = DropExamples("exact_duplicate", "exact_dedup", report_dir)
        super().__init__(data_folder, config=config, exclusion_writer=examples)  # type: ignore[arg-type]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        yield from super().run(data, rank, world_size)
        self.stat_update("dropped_exact_duplicate", value=self.stats["dropped"].total)


class NearDuplicates(MinhashDedupFilter):
    """datatrove's MinHash stage 4, counting its drops as ``near_duplicate``.

    Args:
        input_folder: the ``.remove`` files of MinHash stage 3.
        report_dir: folder for the per-rank ledgers.
    """

    name = "hanji near_dedup"

    def __init__(self, input_folder: str, report_dir: str | None = None) -> None:
        examples = DropExamples("near_duplicate", "near_dedup", report_dir)
        super().__init__(input_folder, exclusion_writer=examples)  # type: ignore[arg-type]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        yield from super().run(data, rank, world_size)
        self.stat_update("dropped_near_duplicate", value=self.stats["dropped"].total)
