"""Helpers for the corpus tests: tiny recipes in tmp folders, one worker, no progress bar."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hanji.recipe import Recipe, parse_recipe

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
FIXTURES = ROOT / "tests" / "data" / "corpus"

ARTICLE = (
    "청주시가 올해 초 시범 도입한 무인 심야 도서관이 다음 달부터 네 곳에서 열한 곳으로 늘어난다. "
    "사서가 퇴근한 뒤에도 자정까지 열람실과 무인 대출 기기를 운영하는 방식이다. "
    "시에 따르면 시범 운영 두 달 동안 누적 이용자는 1만 2천여 명으로 집계됐다."
)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def sample_records(domain: str, n: int, split: str = "train") -> list[dict[str, Any]]:
    lines = (SAMPLE / split / f"{domain}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines[:n]]


@pytest.fixture
def make_recipe(tmp_path: Path) -> Callable[..., Recipe]:
    """A recipe in tmp_path with the given sources and [corpus] settings."""

    def make(sources: list[dict[str, Any]], **corpus: Any) -> Recipe:
        data = {
            "corpus": {"sources": sources, "workers": 1, **corpus},
            "output": {"dir": str(tmp_path / "out")},
        }
        return parse_recipe(data, path=tmp_path / "recipe.toml")

    return make
