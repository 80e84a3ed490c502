"""`hanji corpus`: build training shards from a recipe's sources; show a run's stats."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(
    help="Korean corpus pipeline: read, clean, dedup, scrub PII, tag domains, write shards.",
    no_args_is_help=True,
)


@app.command()
def build(
    recipe: Path = typer.Argument(..., help="recipe TOML with [[corpus.sources]] and [corpus]"),
    out: Path | None = typer.Option(
        None, "--out", help="output folder (default: the recipe's [output] dir)"
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="parallel tasks (default: corpus.workers, else one per core)"
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show a progress bar"),
) -> None:
    """Write OUT/shards/{domain}/*.parquet, stats.json, datacard.md and mixture.json.

    Re-running resumes: finished work is skipped and the result is the same.
    """
    from rich.console import Console

    from hanji.corpus import build_corpus
    from hanji.corpus.readers.sources import CorpusError
    from hanji.corpus.stats import render
    from hanji.recipe import RecipeError, load_recipe

    console = Console(stderr=True, soft_wrap=True)
    try:
        rec = load_recipe(recipe)
        target = out or rec.output_dir()
        stats = build_corpus(rec, target, workers=workers, progress=progress)
    except (RecipeError, CorpusError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if stats.get("status") == "submitted":
        console.print(f"submitted to Slurm; {stats['note']}")
        return
    render(stats, Console())
    Console().print(
        f"wrote {Path(target).resolve() / 'shards'} and stats.json, datacard.md, mixture.json"
    )


@app.command()
def stats(
    out: Path = typer.Argument(..., help="output folder of `hanji corpus build`"),
    as_json: bool = typer.Option(False, "--json", help="print stats.json instead of tables"),
) -> None:
    """Print the stats of an existing corpus output (also of a partial or Slurm run)."""
    from rich.console import Console

    from hanji.corpus.stats import collect_stats, render

    path = out / "stats.json"
    if path.exists():
        data = json.loads(path.read_text("utf-8"))
    elif (out / "logs").is_dir():
        data = collect_stats(out)
    else:
        Console(stderr=True, soft_wrap=True).print(
            f"[red]error:[/red] {out} holds no corpus output (no stats.json, no logs/)"
        )
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    render(data, Console())
