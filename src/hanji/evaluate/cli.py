"""`hanji eval`: bits per character and the neologism probe from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Korean evaluation: BPC, neologism probe, tasks, report.", no_args_is_help=True
)
console = Console(stderr=True)


def _load(model: str):
    from hanji.modeling import load_model_and_tokenizer

    return load_model_and_tokenizer(model)


@app.command("bpc")
def bpc(
    model: str = typer.Option(..., "--model", help="model reference (dir, embedded, Hub id)"),
    text: list[Path] = typer.Option(..., "--text", help="JSONL (text field) or .txt files"),
    window: int = typer.Option(1024, "--window", min=2, help="context window in tokens"),
    as_json: bool = typer.Option(False, "--json", help='print {"bpc", "per_file"} as JSON'),
) -> None:
    """Bits per character on Korean text; overall = total bits / total characters."""
    from hanji.evaluate.bpc import bits_per_character
    from hanji.modeling import ModelResolutionError
    from hanji.textfiles import expand, iter_records

    try:
        files = expand(text)
        docs = [(str(f), r["text"]) for f in files for r in iter_records(f)]
        m, tok = _load(model)
    except (FileNotFoundError, ValueError, ModelResolutionError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("scoring", total=len(docs))
        result = bits_per_character(
            m, tok, docs, window=window, progress=lambda: progress.advance(task)
        )
    per_file = result.group_bpc()
    if as_json:
        typer.echo(json.dumps({"bpc": result.bpc, "per_file": per_file}, ensure_ascii=False))
        return
    table = Table(title=f"bits per character — {model}")
    table.add_column("file")
    table.add_column("chars", justify="right")
    table.add_column("BPC", justify="right")
    for name, value in per_file.items():
        table.add_row(name, f"{int(result.by_group[name]['chars']):,}", f"{value:.4f}")
    table.add_row("[bold]overall", f"{result.chars:,}", f"[bold]{result.bpc:.4f}")
    Console().print(table)


@app.command("probe")
def probe(
    model: str = typer.Option(..., "--model"),
    items: Path = typer.Option(..., "--items", help="probe.jsonl from `hanji lexicon mine`"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Neologism probe accuracy (raw and length-normalised log-likelihood ranking)."""
    from hanji.evaluate.probe import load_probe, run_probe

    try:
        loaded = load_probe(items)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    m, tok = _load(model)
    result = run_probe(m, tok, loaded)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        Console().print(
            f"probe: {result.n} items, accuracy {result.acc_norm:.1%} "
            f"(length-normalised), {result.acc_raw:.1%} (raw); chance 25%"
        )
