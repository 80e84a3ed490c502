"""`run_suite`: the evaluation a build ends with — a model against its base, side by side.

Writes ``results.json``: per model, BPC overall and per domain (and on unseen prose), the
neologism probe, tokenizer chars/token on the same text, multiple-choice tasks (per task,
macro and micro), greedy generations; plus the deltas and the training summary found next
to the model. The report (`hanji.evaluate.report`) is rendered from this file alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hanji.text.io import expand, iter_records

if TYPE_CHECKING:
    from hanji.evaluate.generate import GenerationSpec
    from hanji.evaluate.sources import LoadedTask, TaskSpec

RESULTS = "results.json"


@dataclass
class SuiteConfig:
    heldout: list[Path] = field(default_factory=list)
    """JSONL (text + domain) or text files; BPC per domain and overall."""
    unseen: list[Path] = field(default_factory=list)
    """Korean prose the corpus never saw: BPC reported apart, as ``unseen``."""
    probe: Path | None = None
    window: int = 2048
    max_chars: int | None = None
    """Cap on the characters scored per group (keeps CPU runs short); None = all."""
    tasks: list[TaskSpec | str | Path] = field(default_factory=list)
    """Multiple-choice tasks: specs, files, folders of files, or known Hub names."""
    few_shot: int = 0
    seed: int = 0
    task_limit: int | None = None
    """At most this many items per task (a task's own ``limit`` wins)."""
    generations: GenerationSpec | None = None
    name: str = "custom"
    precision: str = "auto"
    """CPU inference under bf16 autocast where AMX makes it fast (`pick_precision`)."""

    def __post_init__(self) -> None:
        if self.window < 2:
            raise ValueError(f"window must be >= 2 tokens, got {self.window}")
        if self.max_chars is not None and self.max_chars < 1:
            raise ValueError(f"max_chars must be >= 1, got {self.max_chars}")
        if self.few_shot < 0:
            raise ValueError(f"few_shot must be >= 0, got {self.few_shot}")
        if self.task_limit is not None and self.task_limit < 1:
            raise ValueError(f"task_limit must be >= 1, got {self.task_limit}")
        from hanji.modeling.load import check_precision

        check_precision(self.precision)


def load_groups(files: list[Path], max_chars: int | None = None) -> list[tuple[str, str]]:
    """(domain, text) pairs; a file without a domain field groups under its file stem."""
    docs: list[tuple[str, str]] = []
    used: dict[str, int] = {}
    for path in expand(files):
        for rec in iter_records(path):
            group = str(rec.get("domain") or path.stem)
            text = rec["text"]
            if max_chars is not None and used.get(group, 0) >= max_chars:
                continue
            used[group] = used.get(group, 0) + len(text)
            docs.append((group, text))
    return docs


def prepare_tasks(cfg: SuiteConfig) -> list[LoadedTask]:
    """Read every task once, before any model is loaded: a bad file fails the run early."""
    from hanji.evaluate.sources import load_task, task_specs

    loaded = []
    for ref in cfg.tasks:
        for spec in task_specs(ref):
            if spec.limit is None and cfg.task_limit is not None:
                spec = replace(spec, limit=cfg.task_limit)
            k = cfg.few_shot if spec.k is None else spec.k
            loaded.append(load_task(spec, k))
    return loaded


def ticker(
    log: Callable[[str], None],
    what: str,
    total: int,
    *,
    every: float = 30.0,
    clock: Callable[[], float] = time.perf_counter,
) -> Callable[[], None]:
    """A callback per document that logs ``what: n/total documents, Ns`` at least every
    ``every`` seconds while documents keep coming (a log file shows the stage is alive)."""
    start = clock()
    last = {"line": start, "doc": start, "n": 0}

    def tick() -> None:
        now = clock()
        last["n"] += 1
        took, last["doc"] = now - last["doc"], now
        if now - last["line"] + took >= every:
            last["line"] = now
            log(f"{what}: {last['n']}/{total} documents, {now - start:.0f}s")

    return tick


def evaluate_loaded(
    model: Any,
    tok: Any,
    cfg: SuiteConfig,
    *,
    ref: str = "",
    tasks: list[LoadedTask] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every measure of the suite on a model already in memory."""
    from hanji.evaluate.bpc import bits_per_character
    from hanji.evaluate.probe import load_probe, run_probe
    from hanji.modeling.facts import chars_per_token

    out: dict[str, Any] = {"model": ref, "vocab_size": len(tok)}
    held = load_groups(cfg.heldout, cfg.max_chars)
    if held:
        log(f"{ref}: BPC on {len(held)} held-out documents")
        tick = ticker(log, f"{ref}: held-out BPC", len(held))
        res = bits_per_character(model, tok, held, window=cfg.window, progress=tick)
        out["bpc"] = res.bpc
        out["bpc_by_domain"] = res.group_bpc()
        out["heldout_chars"] = res.chars
        out["chars_per_token"] = res.chars / max(res.tokens, 1)
        out["chars_per_token_by_domain"] = {
            g: v["chars"] / max(v["tokens"], 1) for g, v in sorted(res.by_group.items())
        }
    unseen = load_groups(cfg.unseen, cfg.max_chars)
    if unseen:
        log(f"{ref}: BPC on {len(unseen)} unseen documents")
        tick = ticker(log, f"{ref}: unseen BPC", len(unseen))
        docs = [("unseen", t) for _, t in unseen]
        res = bits_per_character(model, tok, docs, window=cfg.window, progress=tick)
        out["bpc_unseen"] = res.bpc
        out["chars_per_token_unseen"] = res.chars / max(res.tokens, 1)
    if cfg.probe is not None and Path(cfg.probe).is_file():
        items = load_probe(cfg.probe)
        log(f"{ref}: neologism probe, {len(items)} items")
        out["probe"] = run_probe(model, tok, items).as_dict()
    if tasks is None and cfg.tasks:
        tasks = prepare_tasks(cfg)
    if tasks:
        from hanji.evaluate.mc import run_task, summarize

        results = []
        for task in tasks:
            k = cfg.few_shot if task.spec.k is None else task.spec.k
            log(f"{ref}: task {task.spec.name}, {len(task.items)} items, {k}-shot")
            results.append(
                run_task(
                    model,
                    tok,
                    task.items,
                    name=task.spec.name,
                    pool=task.pool,
                    k=k,
                    seed=cfg.seed,
                    source=task.source,
                )
            )
        out["tasks"] = summarize(results)
    if cfg.generations is not None:
        from hanji.evaluate.generate import generate_answers

        log(f"{ref}: greedy answers to {len(cfg.generations.prompts)} prompts")
        out["generations"] = generate_answers(model, tok, cfg.generations)
    if "chars_per_token" not in out:
        from hanji.modeling.facts import korean_sample

        out["chars_per_token"] = chars_per_token(tok, korean_sample())
    return out


def evaluate_model(
    ref: str,
    cfg: SuiteConfig,
    *,
    log: Callable[[str], None] = lambda _: None,
    tasks: list[LoadedTask] | None = None,
) -> dict[str, Any]:
    from hanji.modeling import autocast_for, load_model_and_tokenizer

    t0 = time.perf_counter()
    model, tok = load_model_and_tokenizer(ref)
    with autocast_for(model, cfg.precision) as precision:
        out = evaluate_loaded(model, tok, cfg, ref=ref, tasks=tasks, log=log)
    out["precision"] = precision
    out["seconds"] = time.perf_counter() - t0
    return out


def _pair(new: float, base: float) -> dict[str, float]:
    return {"base": base, "new": new, "diff": new - base}


def _delta(new: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for key in ("bpc", "bpc_unseen"):
        if key in new and key in base and base[key]:
            d[key] = {
                "base": base[key],
                "new": new[key],
                "change": (new[key] - base[key]) / base[key],
            }
    if "chars_per_token" in new and "chars_per_token" in base:
        d["chars_per_token"] = {
            "base": base["chars_per_token"],
            "new": new["chars_per_token"],
            "ratio": new["chars_per_token"] / base["chars_per_token"],
        }
    if "probe" in new and "probe" in base:
        d["probe_acc_norm"] = {"base": base["probe"]["acc_norm"], "new": new["probe"]["acc_norm"]}
        d["probe_acc_raw"] = {"base": base["probe"]["acc_raw"], "new": new["probe"]["acc_raw"]}
    by_domain = {}
    for dom, v in new.get("bpc_by_domain", {}).items():
        b = base.get("bpc_by_domain", {}).get(dom)
        if b:
            by_domain[dom] = {"base": b, "new": v, "change": (v - b) / b}
    if by_domain:
        d["bpc_by_domain"] = by_domain
    if "tasks" in new and "tasks" in base:
        nt, bt = new["tasks"], base["tasks"]
        for avg in ("macro", "micro"):
            for metric in ("acc", "acc_norm"):
                d[f"tasks_{avg}_{metric}"] = _pair(nt[avg][metric], bt[avg][metric])
        d["tasks"] = {
            name: _pair(r["acc"], bt["per_task"][name]["acc"])
            for name, r in nt["per_task"].items()
            if name in bt["per_task"]
        }
    return d


def _suite_record(cfg: SuiteConfig) -> dict[str, Any]:
    return {
        "name": cfg.name,
        "heldout": [str(p) for p in cfg.heldout],
        "unseen": [str(p) for p in cfg.unseen],
        "probe": str(cfg.probe) if cfg.probe else None,
        "window": cfg.window,
        "max_chars": cfg.max_chars,
        "few_shot": cfg.few_shot,
        "seed": cfg.seed,
        "task_limit": cfg.task_limit,
        "precision": cfg.precision,
        "generations": (
            {
                "prompts": len(cfg.generations.prompts),
                "max_new_tokens": cfg.generations.max_new_tokens,
            }
            if cfg.generations
            else None
        ),
    }


def _baseline(
    ref: str,
    cfg: SuiteConfig,
    cache: Path | None,
    *,
    log: Callable[[str], None],
    tasks: list[LoadedTask] | None,
) -> dict[str, Any]:
    """The base's figures: from ``cache`` when it holds them, else computed (and stored)."""
    if cache is None:
        return evaluate_model(ref, cfg, log=log, tasks=tasks)
    from hanji.evaluate import base_cache

    t0 = time.perf_counter()
    key = base_cache.base_key(ref, cfg)
    found = base_cache.load(cache, key)
    if found is not None:
        then = found.get("seconds", 0.0)
        log(f"{ref}: base figures from the cache ({key}; {then:.0f}s when computed)")
        return {**found, "seconds": time.perf_counter() - t0, "cache": {"key": key, "hit": True}}
    figures = evaluate_model(ref, cfg, log=log, tasks=tasks)
    base_cache.store(cache, key, figures)
    return {**figures, "cache": {"key": key, "hit": False}}


def run_suite(
    model: str,
    out: str | Path,
    cfg: SuiteConfig,
    *,
    baseline: str | None = None,
    log: Callable[[str], None] = lambda _: None,
    base_cache: Path | None = None,
) -> dict[str, Any]:
    """Evaluate ``model`` (and ``baseline``) under ``cfg``; write ``out/results.json``.

    With ``base_cache`` (a folder), the baseline's figures are read from there when the same
    base, data and settings were evaluated before on this host (`hanji.evaluate.base_cache`).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tasks = prepare_tasks(cfg) if cfg.tasks else None
    results: dict[str, Any] = {
        "suite": _suite_record(cfg),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    results["model"] = evaluate_model(model, cfg, log=log, tasks=tasks)
    if baseline:
        results["baseline"] = _baseline(baseline, cfg, base_cache, log=log, tasks=tasks)
        results["delta"] = _delta(results["model"], results["baseline"])
    summary = Path(model) / "training_summary.json"
    if summary.is_file():
        results["training"] = json.loads(summary.read_text("utf-8"))
    (out / RESULTS).write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return results
