"""`hanji models`: what base models are available and what they cost in Korean."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from hanji.modeling.errors import ModelResolutionError
from hanji.modeling.resolve import EMBEDDED, _package_dir

app = typer.Typer(
    help="Base models: the embedded default, local dirs, GGUF files, Hub ids.", no_args_is_help=True
)
console = Console()


@app.command("list")
def list_models() -> None:
    """List the embedded models and whether they are installed."""
    table = Table(title="embedded models")
    for col in ("name", "installed", "description", "install with"):
        table.add_column(col)
    for emb in EMBEDDED.values():
        pkg = _package_dir(emb.package)
        ok = pkg is not None and (pkg / emb.gguf_file).is_file()
        table.add_row(emb.name, "yes" if ok else "no", emb.description, emb.install)
    console.print(table)
    console.print(
        "Also accepted anywhere a model is asked for: a local Hugging Face model dir, "
        "a .gguf file, or a Hub id (owner/name, needs a network)."
    )


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="smollm2-135m, a model dir, a .gguf file or a Hub id"),
    as_json: bool = typer.Option(False, "--json", help="print the facts as JSON"),
) -> None:
    """Print architecture, parameters, vocabulary size and Korean chars/token of a model."""
    from hanji.modeling.facts import model_facts

    try:
        facts = model_facts(ref)
    except ModelResolutionError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(facts.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"model {facts.ref}", show_header=False)
    table.add_column("fact", style="bold")
    table.add_column("value")
    rows = [
        ("kind", facts.kind),
        ("source", facts.source),
        ("architecture", f"{facts.architecture} ({facts.model_type})"),
        ("parameters", f"{facts.n_params:,} ({facts.n_params / 1e6:.1f} M)"),
        ("vocabulary", f"{facts.vocab_size:,}"),
        ("layers / hidden", f"{facts.n_layers} / {facts.hidden_size}"),
        ("context length", str(facts.context_length)),
        ("tied embeddings", "yes" if facts.tied_embeddings else "no"),
        ("tokenizer", facts.tokenizer_class),
        (
            "Korean chars/token",
            f"{facts.ko_chars_per_token:.3f}  (higher is better; GPT-4o o200k ≈ 2.0)",
        ),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
