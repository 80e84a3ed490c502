"""Typed settings of the neologism miner; the constructor is the config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MineConfig:
    """Settings for `mine` and `write_outputs`.

    Args:
        min_freq: a stem seen fewer times than this is never a candidate (`--min-freq`).
        min_docs: nor one seen in fewer documents (`--min-docs`).
        min_len: shortest candidate in syllables; one-syllable stems are mostly noise.
        max_len: longest candidate in syllables (`--max-len`).
        max_candidates: how many ranked candidates `mine` returns at most.
        top: accept at most this many candidates (`--top`); None means no cap.
        min_score: accept only candidates scoring at least this, in [0, 1] (`--min-score`).
        max_contexts: sentences kept per candidate (reservoir sample) for docs and probes.
        max_context_chars: longer sentences are never kept as contexts.
        probe_per_word: held-out probe items per accepted word (`--probe-per-word`).
        probe_fraction: at most this share of a word's contexts goes to the probe.
        probe_min_words: a probe sentence needs this many word-units, so the blank has
            context to be guessed from.
        seed: makes reservoir sampling, hold-out and distractors reproducible.
        batch_sentences: sentences handed to Kiwi at once (Kiwi threads over a batch).
        max_table: stems tracked before seen-once stems are pruned, to bound memory.
    """

    min_freq: int = 3
    min_docs: int = 1
    min_len: int = 2
    max_len: int = 10
    max_candidates: int = 1000
    top: int | None = 100
    min_score: float = 0.25
    max_contexts: int = 40
    max_context_chars: int = 400
    probe_per_word: int = 2
    probe_fraction: float = 0.3
    probe_min_words: int = 4
    seed: int = 13
    batch_sentences: int = 512
    max_table: int = 500_000

    def __post_init__(self) -> None:
        checks = [
            (self.min_freq >= 1, "--min-freq must be at least 1"),
            (self.min_docs >= 1, "--min-docs must be at least 1"),
            (1 <= self.min_len <= self.max_len, "--max-len must be at least min_len (>= 1)"),
            (self.max_candidates >= 1, "max_candidates must be at least 1"),
            (self.top is None or self.top >= 0, "--top must be 0 or more"),
            (0.0 <= self.min_score <= 1.0, "--min-score must lie in [0, 1]"),
            (self.max_contexts >= 2, "max_contexts must be at least 2"),
            (self.max_context_chars >= 20, "max_context_chars must be at least 20"),
            (self.probe_per_word >= 0, "--probe-per-word must be 0 or more"),
            (0.0 <= self.probe_fraction < 1.0, "probe_fraction must lie in [0, 1)"),
            (self.probe_min_words >= 1, "probe_min_words must be at least 1"),
            (self.batch_sentences >= 1, "batch_sentences must be at least 1"),
            (self.max_table >= 1000, "max_table must be at least 1000"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
