"""The lexicon as a stage: how it reads its inputs, what its output depends on, one run.

`hanji lexicon mine` and the build's lexicon stage both go through `mine_files`, so they
read the same way (`read_texts`: NFC, bad lines skipped and counted, a ``.txt`` without
blank lines one document per line) and write the same files. The build adds a probe from
its held-out files (`hanji.lexicon.probe.heldout_items`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hanji.fingerprint import digest, recipe_files
from hanji.text.io import ReadStats, expand, iter_texts

if TYPE_CHECKING:
    from hanji.lexicon.config import MineConfig
    from hanji.lexicon.mine import MineResult
    from hanji.lexicon.outputs import OutputSummary
    from hanji.recipe import Recipe

ON_ERROR = "skip"
"""A bad line in a mining input is skipped and counted, never fatal: mining is statistical."""


def read_texts(paths: Iterable[str | Path], stats: ReadStats) -> Iterator[str]:
    """Document texts as the lexicon reads them; skipped lines are counted in ``stats``."""
    return iter_texts(paths, on_error=ON_ERROR, stats=stats)


@dataclass
class Mined:
    """What `mine_files` read, found and wrote."""

    result: MineResult
    summary: OutputSummary
    stats: ReadStats
    reference_stats: ReadStats
    seconds: float


def mine_files(
    files: Sequence[Path],
    out: Path,
    *,
    reference: Sequence[Path] = (),
    glossary: dict[str, str] | None = None,
    config: MineConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> Mined:
    """Mine ``files`` (and ``reference``) and write every artefact into ``out``.

    ``report.json`` gets the reading counts (documents, skipped lines by reason and where).
    """
    from hanji.lexicon.config import MineConfig
    from hanji.lexicon.mine import mine_with_stats
    from hanji.lexicon.outputs import write_outputs

    config = config or MineConfig()
    stats, ref_stats = ReadStats(), ReadStats()
    started = time.perf_counter()
    ref = read_texts(reference, ref_stats) if reference else None
    result = mine_with_stats(
        read_texts(files, stats), reference=ref, config=config, progress=progress
    )
    seconds = time.perf_counter() - started
    report = {
        "inputs": [str(p) for p in files],
        "reference": [str(p) for p in reference],
        "documents": stats.documents,
        "chars": stats.chars,
        "skipped": dict(stats.skipped),
        "skipped_at": stats.where,
        "reference_documents": ref_stats.documents,
        "reference_skipped": dict(ref_stats.skipped),
        "sentences": result.sentences,
        "word_units": result.eojeols,
        "seconds": round(seconds, 2),
    }
    summary = write_outputs(result, out, glossary=glossary, config=config, report=report)
    return Mined(result, summary, stats, ref_stats, seconds)


def mine_for_build(
    *,
    inputs: list[Path],
    out: Path,
    heldout: list[Path],
    reference: list[Path],
    glossary: Path | None,
    top_k: int | None,
    min_score: float | None,
    probe_per_word: int = 3,
) -> dict[str, Any]:
    """The build's lexicon stage: `mine_files`, then the probe from held-out sentences.

    The miner's own probe (sentences still in the corpus the model trains on) is kept as
    ``probe_mined.jsonl``; ``probe.jsonl`` holds items from the held-out files.
    """
    import json

    from hanji.lexicon.config import MineConfig
    from hanji.lexicon.outputs import load_glossary
    from hanji.lexicon.probe import heldout_items

    kw: dict[str, Any] = {}
    if top_k is not None:
        kw["top"] = top_k
    if min_score is not None:
        kw["min_score"] = min_score
    config = MineConfig(**kw)
    mined = mine_files(
        expand(inputs),
        out,
        reference=expand(reference) if reference else [],
        glossary=load_glossary(glossary) if glossary else None,
        config=config,
    )
    accepted = mined.summary.accepted
    items: list[dict[str, object]] = []
    if heldout and accepted:
        shutil.move(out / "probe.jsonl", out / "probe_mined.jsonl")
        held = heldout_items(
            read_texts(heldout, ReadStats()),
            accepted,
            mined.result.common_words,
            config.seed,
            probe_per_word,
        )
        items = [item.as_record() for item in held]
        with (out / "probe.jsonl").open("w", encoding="utf-8") as fh:
            for rec in items:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return {
        "candidates": len(mined.result.candidates),
        "accepted": len(accepted),
        "top": accepted[:20],
        "probe_items": len(items) if heldout else mined.summary.probes,
        "probe_words": len({i["word"] for i in items}),
        "documents": mined.stats.documents,
        "skipped": dict(mined.stats.skipped),
        "domain_terms": mined.summary.domain_terms,
    }


def fingerprint(recipe: Recipe, upstream: Sequence[str] = ()) -> str:
    """What the lexicon stage's output depends on: its settings, glossary, reference and
    held-out files (the build's probe), the corpus it mines (``upstream``), and the miner's
    own version (`hanji.lexicon.mine.MINE_VERSION`): a new way of mining mines again."""
    from hanji.lexicon.mine import MINE_VERSION

    lex = recipe.lexicon
    glossary = [lex.glossary] if lex.glossary else []
    return digest(
        {"mine_version": MINE_VERSION},
        lex.model_dump(),
        recipe_files(recipe, glossary),
        recipe_files(recipe, lex.reference),
        recipe_files(recipe, recipe.eval.heldout),
        list(upstream),
    )
