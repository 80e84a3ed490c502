"""The stages of `hanji build`, each a thin call into its own package.

A stage reads the recipe and the artefacts of the stages before it (from the manifest) and
returns its own artefacts and headline figures. Stages talk only through files on disk.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanji.build.manifest import Manifest
from hanji.recipe import Recipe
from hanji.text.io import expand, iter_texts


@dataclass
class Context:
    recipe: Recipe
    run_dir: Path
    manifest: Manifest
    log: Callable[[str], None]
    progress: bool = True

    def artifact(self, stage: str, key: str) -> str | None:
        rec = self.manifest.stages.get(stage)
        return rec.artifacts.get(key) if rec else None

    def paths(self, values: list[str]) -> list[Path]:
        return expand([self.recipe.resolve_path(v) for v in values]) if values else []


def _task_ref(ctx: Context, ref: str) -> str | Path:
    """A recipe task: a file or folder (relative to the recipe) if one exists, else a Hub name."""
    path = ctx.recipe.resolve_path(ref)
    return path if path.exists() else ref


# -- fingerprints: each stage package owns the one of its own inputs and settings -----------

UPSTREAM: dict[str, tuple[str, ...]] = {
    "corpus": (),
    "lexicon": ("corpus",),
    "tokenizer": ("corpus", "lexicon"),
    "train": ("corpus", "lexicon", "tokenizer"),
    "eval": ("lexicon", "train"),
    "export": ("train",),
}
FINGERPRINTS = {
    "corpus": "hanji.corpus.stage",
    "lexicon": "hanji.lexicon.stage",
    "tokenizer": "hanji.tokenizer.stage",
    "train": "hanji.train.stage",
    "eval": "hanji.evaluate.stage",
    "export": "hanji.export.stage",
}


def stage_fingerprint(ctx: Context, name: str) -> str:
    """The stage package's fingerprint, given the fingerprints of the stages it reads."""
    upstream = [
        ctx.manifest.stages[s].fingerprint if s in ctx.manifest.stages else ""
        for s in UPSTREAM[name]
    ]
    module = importlib.import_module(FINGERPRINTS[name])
    return module.fingerprint(ctx.recipe, upstream)


# -- the stages ------------------------------------------------------------------------------


def run_corpus(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    from hanji.corpus import build_corpus

    out = ctx.run_dir / "corpus"
    stats = build_corpus(ctx.recipe, out, progress=ctx.progress)
    figures = {
        "read": stats["read"],
        "kept": stats["kept"],
        "dropped": stats["dropped"],
        "domains": stats.get("domains", {}),
    }
    arts = {
        "dir": str(out),
        "shards": str(out / "shards"),
        "stats": str(out / "stats.json"),
        "mixture": str(out / "mixture.json"),
    }
    return arts, figures


def _texts(paths: list[str | Path]) -> list[str]:
    return list(iter_texts(paths))


def run_lexicon(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    from hanji.lexicon.stage import mine_for_build

    out = ctx.run_dir / "lexicon"
    lex = ctx.recipe.lexicon
    if not lex.enabled:  # no candidates, no must-have tokens, no training docs, no probe
        ctx.log("lexicon.enabled = false: nothing mined")
        return {}, {"enabled": False}
    glossary = ctx.recipe.resolve_path(lex.glossary) if lex.glossary else None
    result = mine_for_build(
        inputs=[Path(str(ctx.artifact("corpus", "shards")))],
        out=out,
        heldout=ctx.paths(ctx.recipe.eval.heldout),
        reference=ctx.paths(lex.reference),
        glossary=glossary,
        top_k=lex.top_k,
        min_score=lex.min_score,
    )
    arts = {
        k: str(out / f)
        for k, f in (
            ("candidates", "candidates.jsonl"),
            ("glossary", "glossary.jsonl"),
            ("train_docs", "train_docs.jsonl"),
            ("probe", "probe.jsonl"),
            ("must_have", "must_have.txt"),
            ("domain_terms", "domain_terms.jsonl"),
        )
    }
    return arts, result


def _training_inputs(ctx: Context) -> list[str | Path]:
    inputs: list[str | Path] = [str(ctx.artifact("corpus", "shards"))]
    docs = ctx.artifact("lexicon", "train_docs")
    if docs and Path(docs).is_file() and Path(docs).stat().st_size > 0:
        inputs.append(docs)
    return inputs


def run_tokenizer(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    base = ctx.recipe.base_ref()
    tk = ctx.recipe.tokenizer
    if not tk.enabled:
        return {"model": base}, {"added": 0}
    from hanji.tokenizer.extend import must_have_words
    from hanji.tokenizer.model_dir import extend_model
    from hanji.tokenizer.stats import tokenizer_stats

    out = ctx.run_dir / "tokenizer"
    must: list[str] = []
    if tk.must_have_from_lexicon:
        # The new words, then the domain terms the reference corpus also uses: one token each.
        files = [ctx.artifact("lexicon", name) for name in ("must_have", "domain_terms")]
        must = must_have_words([Path(f) for f in files if f and Path(f).is_file()])
    texts = _texts(_training_inputs(ctx))
    ctx.log(f"learning up to {tk.add_tokens} Korean tokens on {len(texts)} documents")
    res = extend_model(
        base,
        texts,
        out,
        n_new=tk.add_tokens,
        must_have=must,
        input_init=tk.input_init,
        output_init=tk.output_init,
    )
    held = [t for t in _texts(ctx.paths(ctx.recipe.eval.heldout))] or texts[:50]
    before = tokenizer_stats(base, held).chars_per_token
    after = tokenizer_stats(str(out), held).chars_per_token
    figures = {
        "base_vocab": res.base_vocab_size,
        "new_vocab": res.new_vocab_size,
        "must_have_single": f"{res.must_have_single}/{res.must_have_total}",
        "chars_per_token_heldout": {"base": before, "new": after, "ratio": after / before},
    }
    return {"model": str(out)}, figures


def run_train(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    from hanji.train import LoopConfig, StageSpec, train_cpt, train_sft
    from hanji.train.budget import parse_duration, split_budget
    from hanji.train.data import find_mixture

    tr = ctx.recipe.train
    start = str(ctx.artifact("tokenizer", "model") or ctx.recipe.base_ref())
    final = ctx.run_dir / "model"
    cpt_out = ctx.run_dir / "cpt" if tr.sft else final
    cfg = LoopConfig(
        batch_size=tr.batch_size,
        grad_accum=tr.grad_accum,
        seed=tr.seed,
        clip_grad=tr.clip_grad,
        weight_decay=tr.weight_decay,
        checkpoint_every=tr.checkpoint_every,
        progress=ctx.progress,
        precision=tr.precision,
    )
    figures: dict[str, Any] = {}
    # [train] budget: shared by the stages and SFT by their steps, unless one names its own
    total = parse_duration(tr.budget) if tr.budget else None
    parts = [*tr.stages, *([tr.sft] if tr.sft else [])]
    allotted = split_budget(
        total,
        [p.steps for p in parts],
        [parse_duration(p.budget) if p.budget else None for p in parts],
    )
    if total is not None:
        figures["budget_s"] = total
    if tr.stages:
        stages = [
            StageSpec(
                s.kind,
                s.steps,
                s.lr,
                s.warmup_steps,
                s.schedule,
                s.lora_r,
                s.lora_alpha,
                s.embedding_lr_scale,
                budget_s=allotted[i],
            )
            for i, s in enumerate(tr.stages)
        ]
        inputs = _training_inputs(ctx)
        mixture = find_mixture([str(ctx.artifact("corpus", "shards"))])
        summary = train_cpt(
            start,
            inputs,
            cpt_out,
            stages=stages,
            seq_len=tr.seq_len,
            config=cfg,
            heldout_fraction=tr.heldout_fraction,
            probabilities=mixture,
            resume=True,
        )
        figures["cpt"] = _train_figures(summary)
        figures["cpt"]["final_loss"] = summary.losses[-1]["loss"] if summary.losses else None
        start = str(cpt_out)
    if tr.sft:
        sft_data = ctx.paths([tr.sft.data])
        sft_budget = allotted[-1]
        if total is not None and tr.sft.budget is None and "cpt" in figures:
            # what the CPT stages left (or overran) goes to SFT: the run keeps its budget
            sft_budget = max(total - figures["cpt"]["seconds"], 1.0)
        summary = train_sft(
            start,
            sft_data,
            final,
            steps=tr.sft.steps,
            lr=tr.sft.lr,
            seq_len=tr.seq_len,
            kind=tr.sft.kind,
            config=cfg,
            resume=True,
            budget_s=sft_budget,
        )
        figures["sft"] = _train_figures(summary)
        if (ctx.run_dir / "cpt").exists():
            shutil.rmtree(ctx.run_dir / "cpt")  # the SFT output supersedes it
    if not tr.stages and not tr.sft:
        raise ValueError("[train] has neither stages nor sft: nothing to train")
    return {"model": str(final)}, figures


def _train_figures(summary: Any) -> dict[str, Any]:
    """Steps, tokens, seconds and precision of a training run, and what its budget chose."""
    out: dict[str, Any] = {
        "steps": summary.steps,
        "tokens": summary.tokens_seen,
        "seconds": round(summary.seconds, 1),
        "precision": "bf16" if summary.dtype == "bfloat16" else "fp32",
    }
    if summary.schedule:
        out["budget"] = [
            {k: p[k] for k in ("budget_s", "steps", "seconds_per_step", "first_step_s")}
            for p in summary.schedule
        ]
    return out


def run_eval(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    from hanji.evaluate.generate import GenerationSpec
    from hanji.evaluate.suite_run import SuiteConfig, run_suite

    e = ctx.recipe.eval
    out = ctx.run_dir / "eval"
    probe = ctx.artifact("lexicon", "probe") if e.probe else None
    cfg = SuiteConfig(
        heldout=ctx.paths(e.heldout),
        unseen=ctx.paths(e.unseen),
        probe=Path(probe) if probe else None,
        window=e.window,
        max_chars=e.max_chars,
        tasks=[_task_ref(ctx, t) for t in e.tasks],
        few_shot=e.few_shot,
        generations=GenerationSpec(prompts=list(e.prompts)) if e.prompts else None,
        precision=e.precision,
    )
    model = str(ctx.artifact("train", "model"))
    from hanji.evaluate.base_cache import default_dir

    results = run_suite(
        model,
        out,
        cfg,
        baseline=ctx.recipe.base_ref() if e.baseline else None,
        log=ctx.log,
        base_cache=default_dir(),
    )
    from hanji.evaluate.report import write_report

    arts = {"dir": str(out), "results": str(out / "results.json")}
    arts.update({k: str(v) for k, v in write_report(out, results).items()})
    figures = dict(results.get("delta", {}))
    if "baseline" in results:
        base = results["baseline"]
        figures["base"] = {
            "cached": base.get("cache", {}).get("hit", False),
            "seconds": round(base.get("seconds", 0.0), 1),
        }
    return arts, figures


def run_export(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    """``model.<type>.gguf`` next to ``model/`` for each type in ``[export] gguf``."""
    kinds = ctx.recipe.export.gguf
    if not kinds:
        return {}, {"gguf": []}
    from hanji.export.gguf import export_gguf

    model = Path(str(ctx.artifact("train", "model")))
    arts: dict[str, str] = {}
    figures: dict[str, Any] = {}
    for kind in kinds:
        out = ctx.run_dir / f"model.{kind}.gguf"
        ctx.log(f"exporting {kind} GGUF → {out.name}")
        result = export_gguf(model, out, gguf_type=kind, name=ctx.recipe.name)
        arts[f"gguf_{kind}"] = str(out)
        figures[kind] = {"mb": round(result.bytes / 1e6, 1), "pre_tokenizer": result.pre_tokenizer}
    return arts, figures


Run = Callable[[Context], tuple[dict[str, str], dict[str, Any]]]
STAGES: dict[str, tuple[Run, list[str]]] = {
    # name: (run, output dirs or files to clear when the fingerprint changed)
    "corpus": (run_corpus, ["corpus"]),
    "lexicon": (run_lexicon, ["lexicon"]),
    "tokenizer": (run_tokenizer, ["tokenizer"]),
    "train": (run_train, ["cpt", "model"]),
    "eval": (run_eval, ["eval"]),
    "export": (run_export, [f"model.{kind}.gguf" for kind in ("f16", "q8_0", "q4_k_m")]),
}
