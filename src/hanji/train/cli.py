"""`hanji train cpt|sft`: thin wrappers over `hanji.train.api`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(help="Continued pre-training and supervised fine-tuning.", no_args_is_help=True)
console = Console(stderr=True)


def _run(command: str, /, **kw: Any) -> None:
    from hanji.modeling import ModelResolutionError
    from hanji.train import LoopConfig, train_cpt, train_sft
    from hanji.train.budget import parse_duration

    try:
        budget = kw.pop("budget")
        cfg = LoopConfig(
            budget_s=parse_duration(budget) if budget else None,
            batch_size=kw.pop("batch_size"),
            grad_accum=kw.pop("grad_accum"),
            seed=kw.pop("seed"),
            stop_after=kw.pop("stop_after"),
            checkpoint_every=kw.pop("checkpoint_every"),
            precision=kw.pop("precision"),
        )
        fn = train_cpt if command == "cpt" else train_sft
        summary = fn(kw.pop("model"), kw.pop("data"), kw.pop("out"), config=cfg, **kw)
    except (ValueError, FileNotFoundError, ModelResolutionError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    state = "done" if summary.completed else "stopped (resume with --resume)"
    last = summary.losses[-1]["loss"] if summary.losses else float("nan")
    console.print(
        f"{command} {state}: {summary.steps} steps, {summary.tokens_seen:,} tokens, "
        f"last loss {last:.4f}, {summary.seconds:.0f}s on {summary.device} ({summary.dtype})"
    )
    for plan in summary.schedule:
        if plan["steps"] is not None:
            console.print(
                f"  stage {plan['stage'] + 1}: the budget of {plan['budget_s']:.0f}s gave "
                f"{plan['steps']} steps at {plan['seconds_per_step']:.2f} s/step "
                f"(first step {plan['first_step_s']:.2f}s)"
            )


COMMON = dict(
    model=typer.Option(..., "--model", help="model reference (dir, embedded name, Hub id)"),
    out=typer.Option(..., "--out", help="output model dir (checkpoints inside)"),
    steps=typer.Option(100, "--steps", min=1, help="length of the whole schedule"),
    batch_size=typer.Option(4, "--batch-size", min=1),
    grad_accum=typer.Option(1, "--grad-accum", min=1),
    seed=typer.Option(0, "--seed"),
    stop_after=typer.Option(None, "--stop-after", min=1, help="stop after K steps, checkpointed"),
    checkpoint_every=typer.Option(50, "--checkpoint-every", min=1),
    resume=typer.Option(False, "--resume", help="continue from the last checkpoint in --out"),
    precision=typer.Option(
        "auto", "--precision", help="auto (bf16 on a bf16 GPU or an AMX CPU, else fp32), fp32, bf16"
    ),
    budget=typer.Option(
        None,
        "--budget",
        help="wall time for the run (45s, 6m, 2h, 1h30m): --steps become weights and the "
        "step count is fixed from the measured speed",
    ),
)


@app.command("cpt")
def cpt(
    model: str = COMMON["model"],
    data: list[Path] = typer.Option(..., "--data", help="JSONL/Parquet documents (file or dir)"),
    out: Path = COMMON["out"],
    steps: int = COMMON["steps"],
    seq_len: int = typer.Option(256, "--seq-len", min=8),
    batch_size: int = COMMON["batch_size"],
    grad_accum: int = COMMON["grad_accum"],
    lr: float = typer.Option(1e-4, "--lr", min=0.0),
    seed: int = COMMON["seed"],
    stop_after: int | None = COMMON["stop_after"],
    checkpoint_every: int = COMMON["checkpoint_every"],
    resume: bool = COMMON["resume"],
    precision: str = COMMON["precision"],
    budget: str | None = COMMON["budget"],
) -> None:
    """Continued pre-training; an expanded vocabulary trains its new rows first (EEVE)."""
    _run(
        "cpt",
        model=model,
        data=data,
        out=out,
        steps=steps,
        seq_len=seq_len,
        batch_size=batch_size,
        grad_accum=grad_accum,
        lr=lr,
        seed=seed,
        stop_after=stop_after,
        checkpoint_every=checkpoint_every,
        resume=resume,
        precision=precision,
        budget=budget,
    )


@app.command("sft")
def sft(
    model: str = COMMON["model"],
    data: list[Path] = typer.Option(..., "--data", help="'messages' JSONL (file or dir)"),
    out: Path = COMMON["out"],
    steps: int = COMMON["steps"],
    seq_len: int = typer.Option(512, "--seq-len", min=8),
    batch_size: int = COMMON["batch_size"],
    grad_accum: int = COMMON["grad_accum"],
    lr: float = typer.Option(5e-5, "--lr", min=0.0),
    seed: int = COMMON["seed"],
    stop_after: int | None = COMMON["stop_after"],
    checkpoint_every: int = COMMON["checkpoint_every"],
    resume: bool = COMMON["resume"],
    precision: str = COMMON["precision"],
    budget: str | None = COMMON["budget"],
    lora: bool = typer.Option(False, "--lora", help="train LoRA adapters (merged at the end)"),
) -> None:
    """Supervised fine-tuning on chat data; loss on assistant tokens only."""
    _run(
        "sft",
        model=model,
        data=data,
        out=out,
        steps=steps,
        seq_len=seq_len,
        batch_size=batch_size,
        grad_accum=grad_accum,
        lr=lr,
        seed=seed,
        stop_after=stop_after,
        checkpoint_every=checkpoint_every,
        resume=resume,
        precision=precision,
        budget=budget,
        kind="lora" if lora else "full",
    )
