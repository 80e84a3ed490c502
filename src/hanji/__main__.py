"""`python -m hanji …` runs the CLI."""

from hanji.cli import app

app(prog_name="hanji")
