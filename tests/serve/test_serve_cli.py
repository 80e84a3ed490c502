"""`hanji serve` argument checks through Typer's CliRunner, and the command end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hanji.serve.cli import serve_command
from hanji.tenants.cli import app as tenant_app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANJI_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _serve_app() -> typer.Typer:
    app = typer.Typer()
    app.command("serve")(serve_command)
    app.command("noop")(lambda: None)  # keep `serve` a named sub-command, as in `hanji serve`
    return app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "x"], "--name needs --model"),
        (["--upstream", "http://h/v1"], "go together"),
        (["--upstream-model", "m"], "go together"),
        ([], "nothing to serve"),
        (["--upstream", "ftp://h", "--upstream-model", "m"], "http://"),
        (
            [
                "--upstream",
                "http://h/v1",
                "--upstream-model",
                "m",
                "--upstream-key-env",
                "NOPE_NOT_SET",
            ],
            "NOPE_NOT_SET",
        ),
    ],
)
def test_serve_refuses_bad_flags(home: Path, args: list[str], message: str) -> None:
    result = runner.invoke(_serve_app(), ["serve", *args])
    assert result.exit_code == 2 and message in result.output


def test_serve_help_lists_the_contract_flags() -> None:
    result = runner.invoke(_serve_app(), ["serve", "--help"])
    for flag in (
        "--config",
        "--model",
        "--name",
        "--upstream",
        "--upstream-model",
        "--upstream-key-env",
        "--host",
        "--port",
        "--db",
    ):
        assert flag in result.output


def test_serve_refuses_a_model_that_cannot_resolve(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(_serve_app(), ["serve", "--model", str(tmp_path / "없는-모델")])
    assert result.exit_code == 2 and "--model" in result.output


@pytest.mark.slow
def test_hanji_serve_end_to_end_in_a_subprocess(
    home: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command contract: tenant key from the CLI, `serve --model DIR`, the SDK talks."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import openai

    assert runner.invoke(tenant_app, ["create", "고객사", "--profile", "general"]).exit_code == 0
    key = runner.invoke(tenant_app, ["key", "create", "고객사"]).stdout.strip().splitlines()[-1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    launcher = (
        "import typer; from hanji.serve.cli import serve_command; app = typer.Typer(); "
        "app.command('serve')(serve_command); app.command('noop')(lambda: None); app()"
    )
    cmd = [
        sys.executable,
        "-c",
        launcher,
        "serve",
        "--model",
        str(tiny_model_dir),
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(
        cmd, env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0)
        deadline = time.monotonic() + 90
        while True:
            try:
                models = [m.id for m in client.models.list()]
                break
            except openai.APIConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert models == [tiny_model_dir.name]
        reply = client.chat.completions.create(
            model=tiny_model_dir.name, messages=[{"role": "user", "content": "안녕"}], max_tokens=3
        )
        assert reply.usage.completion_tokens <= 3
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode()
    assert key not in output and "안녕" not in output
