"""`hanji lexicon`: mine neologisms (신조어) into candidates, glossary, training docs, probes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from hanji.lexicon.config import MineConfig
    from hanji.lexicon.mine import MineResult
    from hanji.lexicon.outputs import OutputSummary
    from hanji.lexicon.stage import Mined
    from hanji.text.io import ReadStats

app = typer.Typer(
    help="Neologism (신조어) mining: candidates, glossary, training documents, probe set.",
    no_args_is_help=True,
)
console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Neologism (신조어) mining."""


@app.command("mine")
def mine_command(
    inputs: list[Path] = typer.Argument(
        ..., help="JSONL (text field), Parquet (text column), .txt files or folders of them"
    ),
    out: Path = typer.Option(..., "--out", help="output folder (created if missing)"),
    reference: list[Path] = typer.Option(
        [], "--reference", help="ordinary text in the same formats: words common there are not new"
    ),
    glossary: Path | None = typer.Option(
        None, "--glossary", help='JSONL of {"word", "meaning"}: the only source of definitions'
    ),
    top: int = typer.Option(100, "--top", help="accept at most K best candidates (0: none)"),
    min_score: float = typer.Option(0.25, "--min-score", help="accept only scores >= X (0..1)"),
    min_freq: int = typer.Option(3, "--min-freq", help="ignore words seen fewer times"),
    max_len: int = typer.Option(10, "--max-len", help="longest word in syllables"),
    probe_per_word: int = typer.Option(2, "--probe-per-word", help="probe items per word"),
    seed: int = typer.Option(13, "--seed", help="seed for sampling, hold-out and distractors"),
    show: int = typer.Option(20, "--show", help="candidates to print in the summary table"),
) -> None:
    """Find neologisms in INPUT and write candidates.jsonl, glossary.jsonl, train_docs.jsonl,
    probe.jsonl, must_have.txt and kiwi_user_words.tsv into --out."""
    from hanji.lexicon.config import MineConfig
    from hanji.lexicon.outputs import load_glossary
    from hanji.text.io import expand

    if glossary is not None and not glossary.is_file():
        console.print(f"[red]error:[/red] --glossary 파일이 없습니다 / not found: {glossary}")
        raise typer.Exit(2)
    try:
        config = MineConfig(
            top=top,
            min_score=min_score,
            min_freq=min_freq,
            max_len=max_len,
            probe_per_word=probe_per_word,
            seed=seed,
        )
        files = expand(inputs)
        ref_files = expand(reference) if reference else []
        meanings = load_glossary(glossary) if glossary else {}
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if not files:
        console.print("[red]error:[/red] 읽을 파일이 없습니다 / no .jsonl, .parquet or .txt input")
        raise typer.Exit(2)

    mined = _mine_with_progress(files, ref_files, out, meanings, config)
    _print_summary(mined.result, mined.summary, mined.stats, mined.seconds, show)


def _mine_with_progress(
    files: list[Path],
    ref_files: list[Path],
    out: Path,
    meanings: dict[str, str],
    config: MineConfig,
) -> Mined:
    """Run the miner under a rich progress bar counting documents and megabytes."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from hanji.lexicon.stage import mine_files
    from hanji.text.io import count_documents

    total = count_documents(files)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("docs · {task.fields[mb]:.2f} MB · {task.fields[rate]:.3f} MB/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("Kiwi 분석 / analysing", total=total, mb=0.0, rate=0.0)
        seen: dict[str, float] = {"bytes": 0, "t0": time.perf_counter()}

        def tick(nbytes: int) -> None:
            seen["bytes"] += nbytes
            mb = seen["bytes"] / 1e6
            rate = mb / max(1e-6, time.perf_counter() - seen["t0"])
            progress.update(task, advance=1, mb=mb, rate=rate)

        return mine_files(
            files, out, reference=ref_files, glossary=meanings, config=config, progress=tick
        )


def _print_summary(
    result: MineResult, summary: OutputSummary, stats: ReadStats, elapsed: float, show: int
) -> None:
    accepted = set(summary.accepted)
    table = Table(title=f"신조어 후보 / candidates (top {min(show, len(result.candidates))})")
    for col in ("#", "word", "score", "freq", "docs", "accepted", "context"):
        table.add_column(col, overflow="fold")
    for i, cand in enumerate(result.candidates[:show], 1):
        context = cand.contexts[0] if cand.contexts else ""
        table.add_row(
            str(i),
            cand.word,
            f"{cand.score:.3f}",
            str(cand.freq),
            str(cand.docs),
            "✓" if cand.word in accepted else "",
            context[:60] + ("…" if len(context) > 60 else ""),
        )
    console.print(table)
    skipped = sum(stats.skipped.values())
    console.print(
        f"{stats.documents:,} documents ({skipped:,} records skipped: {dict(stats.skipped)}), "
        f"{result.eojeols:,} word-units in {elapsed:.1f} s; "
        f"{summary.candidates} candidates, {len(summary.accepted)} accepted, "
        f"{summary.train_docs} training documents, {summary.probes} probe items → {summary.out_dir}"
    )
    if summary.domain_terms or summary.typos:
        console.print(
            f"{summary.domain_terms} domain terms (used in --reference too: not new) → "
            f"domain_terms.jsonl; {len(summary.typos)} rare words dropped as typos"
        )
    if stats.where:
        more = " …" if skipped > len(stats.where) else ""
        console.print("[yellow]skipped records:[/yellow] " + "; ".join(stats.where) + more)
    if summary.without_meaning:
        console.print(
            f"{len(summary.without_meaning)} accepted words have no --glossary meaning "
            "(written with meaning null)."
        )
    if summary.glossary_not_accepted:
        console.print(
            "glossary words not accepted: " + ", ".join(summary.glossary_not_accepted[:20])
        )
