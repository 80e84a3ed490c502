import json

import pytest
from typer.testing import CliRunner

from hanji import __version__
from hanji.cli import app

runner = CliRunner()
GROUPS = sorted(g.name for g in app.registered_groups)
COMMANDS = sorted(c.name for c in app.registered_commands if c.name)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"hanji {__version__}"


def test_models_group_is_registered() -> None:
    assert "models" in GROUPS


@pytest.mark.parametrize("name", GROUPS + COMMANDS)
def test_every_group_and_command_has_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_models_list_and_show_json() -> None:
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0 and "smollm2-135m" in listed.output
    shown = runner.invoke(app, ["models", "show", "smollm2-135m", "--json"])
    assert shown.exit_code == 0, shown.output
    facts = json.loads(shown.stdout)
    assert facts["vocab_size"] == 49_152 and 0.3 < facts["ko_chars_per_token"] < 0.8


def test_models_show_bad_reference_exits_2() -> None:
    result = runner.invoke(app, ["models", "show", "./nowhere"])
    assert result.exit_code == 2 and "cannot resolve model" in result.output
