"""`hanji build RECIPE`: the whole pipeline from one TOML file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console


def build_command(
    recipe: Path = typer.Argument(..., help="the recipe TOML (e.g. recipes/quickstart.toml)"),
    from_stage: str | None = typer.Option(None, "--from", help="re-run from this stage on"),
    only: str | None = typer.Option(None, "--only", help="run this stage alone"),
    force: bool = typer.Option(False, "--force", help="re-run every stage"),
) -> None:
    """Build a Korean-specialised model: corpus → lexicon → tokenizer → train → eval."""
    from hanji.build import BuildError, build
    from hanji.build.summary import print_summary
    from hanji.recipe import RecipeError

    console = Console(stderr=True)
    try:
        manifest = build(recipe, from_stage=from_stage, only=only, force=force, console=console)
    except (BuildError, RecipeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    print_summary(manifest)
