"""The stages of `hanji build`, each a thin call into its own package.

A stage reads the recipe and the artefacts of the stages before it (from the manifest) and
returns its own artefacts and headline figures. Stages talk only through files on disk.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanji.build.manifest import Manifest, file_signature, fingerprint
from hanji.recipe import Recipe
from hanji.textfiles import expand


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


# -- fingerprints: what a stage's output depends on ------------------------------------------


def _upstream(ctx: Context, *stages: str) -> list[str]:
    return [ctx.manifest.stages[s].fingerprint if s in ctx.manifest.stages else "" for s in stages]


def fp_corpus(ctx: Context) -> str:
    sources = []
    for s in ctx.recipe.corpus.sources:
        p = ctx.recipe.resolve_path(s.path)
        files = expand([p]) if s.format != "hf" else []
        sources.append((s.model_dump(), file_signature(files)))
    decont = file_signature(ctx.paths(ctx.recipe.corpus.decontaminate))
    return fingerprint(ctx.recipe.corpus.model_dump(exclude={"sources"}), sources, decont)


def fp_lexicon(ctx: Context) -> str:
    glossary = ctx.recipe.lexicon.glossary
    gsig = file_signature([ctx.recipe.resolve_path(glossary)]) if glossary else []
    heldout = file_signature(ctx.paths(ctx.recipe.eval.heldout))
    return fingerprint(ctx.recipe.lexicon.model_dump(), gsig, heldout, _upstream(ctx, "corpus"))


def fp_tokenizer(ctx: Context) -> str:
    return fingerprint(
        ctx.recipe.model.model_dump(),
        ctx.recipe.tokenizer.model_dump(),
        _upstream(ctx, "corpus", "lexicon"),
    )


def fp_train(ctx: Context) -> str:
    sft = ctx.recipe.train.sft
    sft_sig = file_signature(ctx.paths([sft.data])) if sft else []
    return fingerprint(
        ctx.recipe.train.model_dump(), sft_sig, _upstream(ctx, "corpus", "lexicon", "tokenizer")
    )


def fp_eval(ctx: Context) -> str:
    e = ctx.recipe.eval
    files = file_signature(ctx.paths(e.heldout) + ctx.paths(e.unseen))
    return fingerprint(
        e.model_dump(), ctx.recipe.model.model_dump(), files, _upstream(ctx, "lexicon", "train")
    )


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
    from hanji.textfiles import iter_texts

    return list(iter_texts(paths))


def run_lexicon(ctx: Context) -> tuple[dict[str, str], dict[str, Any]]:
    from hanji.build.lexicon_stage import mine_for_build

    out = ctx.run_dir / "lexicon"
    lex = ctx.recipe.lexicon
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
    from hanji.tokenizer.pipeline import extend_model
    from hanji.tokenizer.stats import tokenizer_stats

    out = ctx.run_dir / "tokenizer"
    must = []
    must_file = ctx.artifact("lexicon", "must_have")
    if tk.must_have_from_lexicon and must_file and Path(must_file).is_file():
        must = [w for w in Path(must_file).read_text("utf-8").splitlines() if w.strip()]
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
            )
            for s in tr.stages
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
        figures["cpt"] = {
            "steps": summary.steps,
            "tokens": summary.tokens_seen,
            "seconds": round(summary.seconds, 1),
            "final_loss": summary.losses[-1]["loss"] if summary.losses else None,
        }
        start = str(cpt_out)
    if tr.sft:
        sft_data = ctx.paths([tr.sft.data])
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
        )
        figures["sft"] = {"steps": summary.steps, "seconds": round(summary.seconds, 1)}
        if (ctx.run_dir / "cpt").exists():
            shutil.rmtree(ctx.run_dir / "cpt")  # the SFT output supersedes it
    if not tr.stages and not tr.sft:
        raise ValueError("[train] has neither stages nor sft: nothing to train")
    return {"model": str(final)}, figures


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
    results = run_suite(
        model, out, cfg, baseline=ctx.recipe.base_ref() if e.baseline else None, log=ctx.log
    )
    arts = {"dir": str(out), "results": str(out / "results.json")}
    try:
        from hanji.evaluate.report import write_report
    except ImportError:
        pass
    else:
        arts.update({k: str(v) for k, v in write_report(out, results).items()})
    return arts, results.get("delta", {})


STAGES: dict[str, tuple[Callable[[Context], str], Callable[[Context], Any], list[str]]] = {
    # name: (fingerprint, run, output dirs to clear when the fingerprint changed)
    "corpus": (fp_corpus, run_corpus, ["corpus"]),
    "lexicon": (fp_lexicon, run_lexicon, ["lexicon"]),
    "tokenizer": (fp_tokenizer, run_tokenizer, ["tokenizer"]),
    "train": (fp_train, run_train, ["cpt", "model"]),
    "eval": (fp_eval, run_eval, ["eval"]),
}
