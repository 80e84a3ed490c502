"""`hanji corpus build` and `hanji corpus stats` through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hanji.corpus.cli import app

from .conftest import sample_records, write_jsonl

runner = CliRunner()


def test_build_then_stats(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data" / "lit.jsonl", sample_records("literature", 4))
    recipe = tmp_path / "r.toml"
    recipe.write_text(
        "# hanji corpus build r.toml\n"
        '[[corpus.sources]]\npath = "data/lit.jsonl"\ndomain = "literature"\n\n'
        '[corpus]\nworkers = 1\nnear_dedup = false\n\n[output]\ndir = "out"\n',
        encoding="utf-8",
    )
    built = runner.invoke(app, ["build", str(recipe), "--no-progress"])
    assert built.exit_code == 0, built.output
    assert "read 4 = kept 4 + dropped 0" in built.output
    assert (tmp_path / "out" / "shards" / "literature" / "00000.parquet").exists()
    assert data.exists()

    shown = runner.invoke(app, ["stats", str(tmp_path / "out"), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["kept"] == 4
    table = runner.invoke(app, ["stats", str(tmp_path / "out")])
    assert "literature" in table.output and "documents per step" in table.output


def test_build_reports_recipe_errors(tmp_path: Path) -> None:
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[corpus.sources]]\npath = "missing.jsonl"\n', encoding="utf-8")
    result = runner.invoke(app, ["build", str(recipe), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "corpus.sources[0].path" in result.output


def test_stats_of_an_empty_folder_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", str(tmp_path)])
    assert result.exit_code == 2 and "no corpus output" in result.output
