"""Each recipe key reaches the package that runs the stage (none is silently ignored)."""

from pathlib import Path
from typing import Any

import pytest

from hanji.build import stages
from hanji.build.manifest import Manifest, StageRecord
from hanji.recipe import parse_recipe


def _eval_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eval_section: dict) -> Any:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "quiz.jsonl").write_text("", "utf-8")
    recipe = parse_recipe({"eval": eval_section}, path=tmp_path / "r.toml")
    manifest = Manifest(tmp_path / "run" / "manifest.json", "r", "r.toml")
    manifest.stages["train"] = StageRecord(status="done", artifacts={"model": "m"})
    ctx = stages.Context(recipe, tmp_path / "run", manifest, log=lambda _: None)
    seen = {}

    def fake_suite(model: str, out: Path, cfg: Any, **kw: Any) -> dict:
        seen["cfg"] = cfg
        return {"delta": {}}

    import hanji.evaluate.report
    import hanji.evaluate.suite_run

    monkeypatch.setattr(hanji.evaluate.suite_run, "run_suite", fake_suite)
    monkeypatch.setattr(hanji.evaluate.report, "write_report", lambda out, res: {})
    stages.run_eval(ctx)
    return seen["cfg"]


def test_eval_keys_reach_the_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _eval_config(
        tmp_path,
        monkeypatch,
        {
            "window": 512,
            "few_shot": 3,
            "tasks": ["tasks/quiz.jsonl", "kobest_boolq"],
            "prompts": ["한국의 수도는 어디인가요?"],
            "probe": False,
        },
    )
    assert cfg.window == 512
    assert cfg.few_shot == 3
    assert cfg.tasks == [tmp_path / "tasks" / "quiz.jsonl", "kobest_boolq"]
    assert cfg.generations.prompts == ["한국의 수도는 어디인가요?"]


def test_eval_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _eval_config(tmp_path, monkeypatch, {"probe": False})
    assert cfg.window == 2048
    assert cfg.tasks == [] and cfg.few_shot == 0 and cfg.generations is None


def test_window_below_two_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="window"):
        parse_recipe({"eval": {"window": 1}}, path=tmp_path / "r.toml")


def test_lexicon_enabled_false_mines_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[lexicon] enabled = false` skips mining; later stages find no lexicon artefacts."""
    import hanji.lexicon.stage

    def refuse(**kw: Any) -> dict:
        raise AssertionError("mined although [lexicon] enabled = false")

    monkeypatch.setattr(hanji.lexicon.stage, "mine_for_build", refuse)
    recipe = parse_recipe({"lexicon": {"enabled": False}}, path=tmp_path / "r.toml")
    manifest = Manifest(tmp_path / "run" / "manifest.json", "r", "r.toml")
    ctx = stages.Context(recipe, tmp_path / "run", manifest, log=lambda _: None)
    artifacts, figures = stages.run_lexicon(ctx)
    assert artifacts == {} and figures == {"enabled": False}
    manifest.stages["lexicon"] = StageRecord(status="done", artifacts=artifacts)
    assert ctx.artifact("lexicon", "must_have") is None
    assert ctx.artifact("lexicon", "probe") is None
