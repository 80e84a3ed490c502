"""The Ray executor on a local Ray instance (runs where the `ray` extra is installed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hanji.recipe import Recipe

from .conftest import sample_records, write_jsonl

pytestmark = pytest.mark.ray


def test_ray_executor_matches_local(make_recipe: Callable[..., Recipe], tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    from hanji.corpus import build_corpus

    path = write_jsonl(tmp_path / "in" / "news.jsonl", sample_records("news", 5))
    local = build_corpus(
        make_recipe([{"path": str(path), "domain": "news"}]), tmp_path / "a", progress=False
    )
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        recipe = make_recipe([{"path": str(path), "domain": "news"}], executor="ray")
        remote = build_corpus(recipe, tmp_path / "b", progress=False)
    finally:
        ray.shutdown()
    assert (
        remote["accounted"]
        and remote["kept"] == local["kept"]
        and remote["dropped"] == local["dropped"]
    )
