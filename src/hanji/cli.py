"""The `hanji` command: one thin Typer app, one sub-command group per package."""

from __future__ import annotations

import typer

from hanji import __version__
from hanji.audit.cli import app as audit_app
from hanji.build.cli import build_command
from hanji.corpus.cli import app as corpus_app
from hanji.evaluate.cli import app as eval_app
from hanji.export.cli import app as export_app
from hanji.lexicon.cli import app as lexicon_app
from hanji.modeling.cli import app as models_app
from hanji.privacy.cli import app as privacy_app
from hanji.serve.cli import serve_command
from hanji.tenants.cli import app as tenant_app
from hanji.tokenizer.cli import app as tokenizer_app
from hanji.train.cli import app as train_app

app = typer.Typer(
    name="hanji",
    help="Build, evaluate and serve Korean-specialised language models.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hanji {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version and exit"
    ),
) -> None:
    """hanji (한지): Korean corpus → tokenizer → training → evaluation; a confidential gateway."""


app.add_typer(models_app, name="models")
app.command("build")(build_command)
app.add_typer(corpus_app, name="corpus")
app.add_typer(lexicon_app, name="lexicon")
app.add_typer(tokenizer_app, name="tokenizer")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(export_app, name="export")
app.add_typer(privacy_app, name="privacy")
app.command("serve")(serve_command)
app.add_typer(tenant_app, name="tenant")
app.add_typer(audit_app, name="audit")


if __name__ == "__main__":  # `python -m hanji.cli …`, e.g. under `accelerate launch -m`
    app()
