"""`build_corpus`: plan the corpus's datatrove stages over one output folder and run them.

    filter        read → normalise → script → lines → spam → quality → hand-off + exact sigs
    exact_find    datatrove exact dedup, stage 2 (one task)
    near_sign     exact-dup filter → hand-off + MinHash signatures (Korean character shingles)
    near_buckets  datatrove MinHash stage 2 (one task per bucket)
    near_cluster  datatrove MinHash stage 3 (one task)
    final         near-dup filter → PII → decontamination → domain → Parquet shards

Ranks are work units (one input file each), fixed by the recipe, so datatrove's
completion markers (``out/logs/<stage>/completions``) let a rerun skip finished ranks.
When a stage had to run anything, every later stage is redone from scratch — their inputs
changed. A recipe or input change (fingerprint) starts the whole output over.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hanji.corpus.readers.sources import CorpusError, expand_sources
from hanji.fingerprint import file_facts
from hanji.recipe import Recipe

# 3: the PII scrub finds identifiers written with Unicode variants (hanji.privacy.view).
# 4: the script step decides the language with fastText lid.176 and a script-fair Korean share.
# 5: the PII scrub finds names without cue words, romanised names, whole and partial
#    addresses, spoken digits (natural-text detectors).
PIPELINE_VERSION = 5
"""Bump when a change to the steps must invalidate earlier outputs."""
DERIVED = ("logs", "work", "shards", "stats.json", "datacard.md", "mixture.json")
FINGERPRINT = ".hanji-corpus.json"


@dataclass
class Stage:
    name: str
    pipeline: list[Any]
    tasks: int
    outputs: list[Path] = field(default_factory=list)


def data_fingerprint(recipe: Recipe, units: list[dict[str, Any]], decont: list[str]) -> str:
    """What the shards depend on: the steps' settings and the input files (by name relative
    to the recipe's folder, size and content digest). Never ``workers`` or ``executor``: how
    a corpus is computed does not change it. ``weights`` and ``max_epochs`` only shape
    mixture.json, which every run rewrites, so they do not start the work over either."""
    base = recipe.base_dir
    skip = {"workers", "executor", "sources", "decontaminate", "weights", "max_epochs"}
    settings = recipe.corpus.model_dump(exclude=skip)
    data = {
        "version": PIPELINE_VERSION,
        "settings": settings,
        "units": [_unit_facts(u, base) for u in units],
        "decontaminate": [file_facts(p, base) for p in decont],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _unit_facts(unit: dict[str, Any], base: Path) -> dict[str, Any]:
    if unit["format"] == "hf-hub":  # a Hub id, not a file
        return {**unit, "facts": [unit["path"], None, None]}
    facts = file_facts(unit["path"], base)
    return {**unit, "path": facts[0], "facts": facts}


def _wipe(out: Path, names: tuple[str, ...] = DERIVED) -> None:
    for name in names:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def _check_fingerprint(out: Path, digest: str) -> bool:
    """True if ``out`` holds an earlier run of the same recipe and inputs (resumable)."""
    marker = out / FINGERPRINT
    if marker.exists():
        old = json.loads(marker.read_text("utf-8")).get("fingerprint")
        if old == digest:
            return True
        from datatrove.utils.logging import logger

        logger.warning(f"{out}: recipe or inputs changed since the last run; starting over")
    _wipe(out)
    marker.write_text(json.dumps({"fingerprint": digest}), encoding="utf-8")
    return False


def decontamination_paths(recipe: Recipe) -> list[str]:
    """The evaluation files named by ``corpus.decontaminate``; a missing one names the key."""
    from hanji.text.io import expand

    files: list[str] = []
    for i, raw in enumerate(recipe.corpus.decontaminate):
        try:
            files.extend(str(p) for p in expand([recipe.resolve_path(raw)]))
        except FileNotFoundError:
            raise CorpusError(f"corpus.decontaminate[{i}]: no file matches '{raw}'") from None
    return files


def decontamination_files(recipe: Recipe) -> list[str]:
    """The evaluation files, each read once here so that a bad one fails before the run."""
    from datatrove.utils.logging import logger

    from hanji.corpus.decontam import check_files

    files = decontamination_paths(recipe)
    for path, count in check_files(files).items():
        if not count:
            logger.warning(f"corpus.decontaminate: {path} has no text of 8+ words to match")
    return files


def plan(recipe: Recipe, out: Path, units: list[dict[str, Any]], decont: list[str]) -> list[Stage]:
    """The stages of this recipe, with the folders each one writes."""
    from datatrove.pipeline.dedup.exact_dedup import ExactDedupSignature, ExactFindDedups
    from datatrove.pipeline.dedup.minhash import MinhashDedupBuckets, MinhashDedupCluster

    from hanji.corpus.decontam import Decontaminate
    from hanji.corpus.dedup import (
        ExactDuplicates,
        KoreanMinhashSignature,
        NearDuplicates,
        exact_config,
        minhash_config,
    )
    from hanji.corpus.domains import DomainTagger
    from hanji.corpus.filters import (
        BoilerplateLines,
        KoreanQualityFilter,
        Normalize,
        ScriptFilter,
        SpamFilter,
    )
    from hanji.corpus.pii import PiiScrub
    from hanji.corpus.readers.base import SourceReader
    from hanji.corpus.writer import ShardWriter, WorkReader, WorkWriter

    cfg = recipe.corpus
    work = out / "work"
    rep = str(out / "logs" / "reports")
    n = len(units)
    filtered, sigs, dups = work / "filtered", work / "exact" / "sigs", work / "exact" / "dups"
    unique, mh_sigs = work / "unique", work / "minhash" / "sigs"
    mh_buckets, mh_remove = work / "minhash" / "buckets", work / "minhash" / "remove"
    exact = exact_config()
    tail = [
        PiiScrub(
            cfg.pii_mode,
            types=tuple(cfg.pii_types) if cfg.pii_types else None,
            report_dir=rep,
        ),
        Decontaminate(decont, report_dir=rep),
        DomainTagger(report_dir=rep),
        ShardWriter(str(out / "shards")),
    ]
    stages = [
        Stage(
            "filter",
            [
                SourceReader(units, report_dir=rep),
                Normalize(report_dir=rep),
                ScriptFilter(cfg.languages, cfg.lid_threshold, report_dir=rep),
                BoilerplateLines(report_dir=rep),
                SpamFilter(report_dir=rep),
                KoreanQualityFilter(report_dir=rep),
                WorkWriter(str(filtered)),
                ExactDedupSignature(str(sigs), config=exact),
            ],
            n,
            [filtered, sigs],
        ),
        Stage("exact_find", [ExactFindDedups(str(sigs), str(dups), config=exact)], 1, [dups]),
    ]
    if not cfg.near_dedup:
        stages.append(
            Stage(
                "final",
                [
                    WorkReader(str(filtered)),
                    ExactDuplicates(str(dups), config=exact, report_dir=rep),
                    *tail,
                ],
                n,
                [out / "shards"],
            )
        )
        return stages
    mh = minhash_config()
    stages += [
        Stage(
            "near_sign",
            [
                WorkReader(str(filtered)),
                ExactDuplicates(str(dups), config=exact, report_dir=rep),
                WorkWriter(str(unique)),
                KoreanMinhashSignature(str(mh_sigs), config=mh),
            ],
            n,
            [unique, mh_sigs],
        ),
        Stage(
            "near_buckets",
            [MinhashDedupBuckets(str(mh_sigs), str(mh_buckets), config=mh)],
            mh.num_buckets,
            [mh_buckets],
        ),
        Stage(
            "near_cluster",
            [MinhashDedupCluster(str(mh_buckets), str(mh_remove), config=mh)],
            1,
            [mh_remove],
        ),
        Stage(
            "final",
            [WorkReader(str(unique)), NearDuplicates(str(mh_remove), report_dir=rep), *tail],
            n,
            [out / "shards"],
        ),
    ]
    return stages


@contextmanager
def _progress_bar(out: Path, stages: list[Stage], enabled: bool):
    """A rich bar per stage, fed by counting datatrove's completion markers."""
    if not enabled:
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    stop = threading.Event()
    with Progress(*columns, transient=False) as bar:
        ids = {s.name: bar.add_task(s.name, total=s.tasks) for s in stages}

        def poll() -> None:
            while not stop.is_set():
                for s in stages:
                    done = out / "logs" / s.name / "completions"
                    count = len(list(done.iterdir())) if done.is_dir() else 0
                    bar.update(ids[s.name], completed=count)
                stop.wait(0.3)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            for s in stages:
                done = out / "logs" / s.name / "completions"
                bar.update(ids[s.name], completed=len(list(done.iterdir())) if done.is_dir() else 0)


def _incomplete(out: Path, stage: Stage) -> list[int]:
    done = out / "logs" / stage.name / "completions"
    finished = {p.name for p in done.iterdir()} if done.is_dir() else set()
    return [r for r in range(stage.tasks) if f"{r:05d}" not in finished]


def _reset(out: Path, stage: Stage) -> None:
    shutil.rmtree(out / "logs" / stage.name, ignore_errors=True)
    for path in stage.outputs:
        shutil.rmtree(path, ignore_errors=True)


def run_stages(
    out: Path, stages: list[Stage], *, executor: str, workers: int, progress: bool
) -> bool:
    """Run (or resume) the stages in order; True if anything ran."""
    from hanji.corpus.executors import make_executor

    ran_any = False
    with _progress_bar(out, stages, progress):
        for stage in stages:
            if ran_any:
                _reset(out, stage)
            todo = _incomplete(out, stage)
            if not todo:
                continue
            if stage.name == "final":
                for rank in todo:
                    for shard in (out / "shards").glob(f"*/{rank:05d}.parquet"):
                        shard.unlink()
            ex = make_executor(
                executor,
                stage.pipeline,
                tasks=stage.tasks,
                workers=workers,
                logging_dir=str(out / "logs" / stage.name),
                job_name=f"hanji-corpus-{stage.name}",
            )
            chatter = io.StringIO()  # datatrove's own tqdm bars, for tasks run in this process
            with contextlib.redirect_stderr(chatter):
                ex.run()
            ran_any = True
            left = _incomplete(out, stage)
            if left:
                raise RuntimeError(
                    f"corpus stage '{stage.name}' left ranks {left[:10]} unfinished; "
                    f"see {out / 'logs' / stage.name / 'logs'}"
                )
    return ran_any


def finalize(
    out: Path, recipe: Recipe, *, input_bytes: int, seconds: float | None, workers: int
) -> dict[str, Any]:
    """Write stats.json, mixture.json and datacard.md from what is on disk."""
    from hanji.corpus.datacard import write_datacard
    from hanji.corpus.mixture import compute_mixture
    from hanji.corpus.stats import collect_stats

    stats = collect_stats(out)
    previous = out / "stats.json"
    if seconds is None and previous.exists():
        stats["timing"] = json.loads(previous.read_text("utf-8")).get("timing")
    elif seconds is not None:
        mb = input_bytes / 1e6
        stats["timing"] = {
            "input_mb": round(mb, 3),
            "seconds": round(seconds, 3),
            "workers": workers,
            "mb_per_s_per_core": round(mb / seconds / max(workers, 1), 3) if seconds else None,
        }
    chars = {d: v["chars"] for d, v in stats["domains"].items()}
    mixture = compute_mixture(chars, recipe.corpus.weights, recipe.corpus.max_epochs)
    (out / "mixture.json").write_text(json.dumps(mixture, indent=2, ensure_ascii=False), "utf-8")
    previous.write_text(json.dumps(stats, indent=2, ensure_ascii=False), "utf-8")
    write_datacard(out, stats, mixture, recipe.name)
    return stats


def build_corpus(
    recipe: Recipe, out: Path, *, workers: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Run the corpus stages of ``recipe`` into ``out``; see the module docstring."""
    from datatrove.utils.logging import logger

    from hanji.corpus.executors import quiet_logger

    cfg = recipe.corpus
    if not cfg.sources:
        raise CorpusError("corpus.sources: the recipe names no [[corpus.sources]]")
    units = expand_sources(recipe)
    decont = decontamination_files(recipe)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    n_workers = workers or cfg.workers or os.cpu_count() or 1
    _check_fingerprint(out, data_fingerprint(recipe, units, decont))
    stages = plan(recipe, out, units, decont)
    input_bytes = sum(os.path.getsize(u["path"]) for u in units if os.path.isfile(u["path"]))

    if cfg.executor == "slurm" and any(_incomplete(out, s) for s in stages):
        return submit_slurm(recipe, out, stages, workers=n_workers)

    quiet_logger()
    tqdm_env = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # worker processes import tqdm afresh: no bars there
    start = time.perf_counter()
    try:
        ran = run_stages(out, stages, executor=cfg.executor, workers=n_workers, progress=progress)
    finally:
        logger.remove()
        logger.add(sys.stderr)
        if tqdm_env is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = tqdm_env
    seconds = time.perf_counter() - start if ran else None
    stats = finalize(out, recipe, input_bytes=input_bytes, seconds=seconds, workers=n_workers)
    if not stats["accounted"]:
        raise RuntimeError(
            f"accounting broken: kept {stats['kept']} + dropped {sum(stats['dropped'].values())}"
            f" != read {stats['read']} (see {out / 'stats.json'})"
        )
    return stats


def submit_slurm(recipe: Recipe, out: Path, stages: list[Stage], *, workers: int) -> dict[str, Any]:
    """Submit every stage as a dependent Slurm job; stats come later (`hanji corpus stats`)."""
    from hanji.corpus.executors import make_executor

    previous = None
    for stage in stages:
        previous = make_executor(
            "slurm",
            stage.pipeline,
            tasks=stage.tasks,
            workers=workers,
            logging_dir=str(out / "logs" / stage.name),
            job_name=f"hanji-corpus-{stage.name}",
            depends=previous,
        )
    assert previous is not None
    previous.run()  # launches the whole dependency chain
    return {
        "status": "submitted",
        "read": 0,
        "kept": 0,
        "dropped": {},
        "steps": [],
        "domains": {},
        "job_id": getattr(previous, "job_id", None),
        "note": f"run `hanji corpus stats {out}` when the Slurm jobs have finished",
    }
