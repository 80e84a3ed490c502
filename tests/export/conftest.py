"""Fixtures: the models of `export_models`, built once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from export_models import build_ko_model, build_qwen_model


@pytest.fixture(scope="session")
def ko_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_ko_model(tmp_path_factory.mktemp("ko") / "ko-extended")


@pytest.fixture(scope="session")
def qwen_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_qwen_model(tmp_path_factory.mktemp("qwen") / "qwen-tiny")
