"""Which engine runs a served model: llama.cpp for a GGUF file, transformers otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import hanji.export.llamacpp
from hanji.cli import app
from hanji.serve.app import build_backends
from hanji.settings import LocalModelConfig, Settings


@pytest.mark.parametrize(
    ("ref", "engine", "runs_on"),
    [
        ("runs/quickstart/model.q8_0.gguf", "auto", "llama.cpp"),
        ("/models/X.GGUF", "auto", "llama.cpp"),
        ("runs/quickstart/model", "auto", "transformers"),
        ("smollm2-135m", "auto", "transformers"),  # the embedded GGUF stays on transformers
        ("runs/quickstart/model.q8_0.gguf", "transformers", "transformers"),
        ("runs/quickstart/model", "llama.cpp", "llama.cpp"),
    ],
)
def test_engine_resolution(ref: str, engine: str, runs_on: str) -> None:
    assert LocalModelConfig(ref=ref, engine=engine).runs_on == runs_on  # type: ignore[arg-type]


def test_a_gguf_without_llama_cpp_installed_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hanji.export.llamacpp, "available", lambda: False)
    settings = Settings(home=tmp_path, models=[{"ref": str(tmp_path / "m.gguf")}])
    with pytest.raises(ValueError, match=r"llama.cpp: .*hanji\[llamacpp\]"):
        build_backends(settings)


def test_a_gguf_builds_the_llama_cpp_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hanji.export.llamacpp, "available", lambda: True)
    settings = Settings(
        home=tmp_path,
        models=[{"ref": str(tmp_path / "m.gguf"), "name": "g"}, {"ref": "x/dir", "name": "d"}],
    )
    kinds = [(b.name, b.kind) for b in build_backends(settings)]
    assert kinds == [("g", "llama.cpp"), ("d", "local")]


def test_serve_refuses_an_unknown_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "serve",
            "--model",
            "smollm2-135m",
            "--engine",
            "vllm",
            "--db",
            f"sqlite:///{tmp_path}/x.db",
        ],
    )
    assert result.exit_code != 0
    assert "--engine must be auto, transformers or llama.cpp" in result.output
