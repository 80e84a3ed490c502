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


def test_tokenizer_stage_takes_new_words_and_domain_terms_as_must_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lexicon's must_have.txt and domain_terms.jsonl both reach `extend_model`."""
    import json

    import hanji.tokenizer.model_dir
    import hanji.tokenizer.stats

    lex = tmp_path / "run" / "lexicon"
    lex.mkdir(parents=True)
    (lex / "must_have.txt").write_text("갓생\n점메추\n", "utf-8")
    terms = [{"word": "치수선", "count": 9}, {"word": "갓생", "count": 3}]
    (lex / "domain_terms.jsonl").write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in terms), "utf-8"
    )
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.jsonl").write_text('{"text": "갓생 치수선"}\n', "utf-8")
    recipe = parse_recipe({}, path=tmp_path / "r.toml")
    manifest = Manifest(tmp_path / "run" / "manifest.json", "r", "r.toml")
    manifest.stages["corpus"] = StageRecord(
        status="done", artifacts={"shards": str(tmp_path / "corpus")}
    )
    manifest.stages["lexicon"] = StageRecord(
        status="done",
        artifacts={
            "must_have": str(lex / "must_have.txt"),
            "domain_terms": str(lex / "domain_terms.jsonl"),
        },
    )
    ctx = stages.Context(recipe, tmp_path / "run", manifest, log=lambda _: None)
    seen: dict[str, Any] = {}

    class Result:
        base_vocab_size = new_vocab_size = must_have_single = must_have_total = 0

    def fake_extend(base: str, texts: list[str], out: Path, **kw: Any) -> Result:
        seen.update(kw)
        return Result()

    class Stats:
        chars_per_token = 1.0

    monkeypatch.setattr(hanji.tokenizer.model_dir, "extend_model", fake_extend)
    monkeypatch.setattr(hanji.tokenizer.stats, "tokenizer_stats", lambda *a: Stats())
    stages.run_tokenizer(ctx)
    assert seen["must_have"] == ["갓생", "점메추", "치수선"]


def _train_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, train: dict) -> dict:
    recipe = parse_recipe({"train": train}, path=tmp_path / "r.toml")
    manifest = Manifest(tmp_path / "run" / "manifest.json", "r", "r.toml")
    manifest.stages["corpus"] = StageRecord(status="done", artifacts={"shards": "s"})
    manifest.stages["tokenizer"] = StageRecord(status="done", artifacts={"model": "t"})
    ctx = stages.Context(recipe, tmp_path / "run", manifest, log=lambda _: None)
    seen: dict[str, Any] = {}

    def fake_train(kind: str):
        def run(model: str, data: Any, out: Path, **kw: Any) -> Any:
            from hanji.train.loop import Summary

            seen[kind] = kw
            return Summary(kind=kind, steps=5, seconds=100.0)

        return run

    import hanji.train
    import hanji.train.data

    monkeypatch.setattr(hanji.train, "train_cpt", fake_train("cpt"))
    monkeypatch.setattr(hanji.train, "train_sft", fake_train("sft"))
    monkeypatch.setattr(hanji.train.data, "find_mixture", lambda _: None)
    seen["figures"] = stages.run_train(ctx)[1]
    return seen


def test_train_budget_is_shared_by_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chat.jsonl").write_text("", "utf-8")
    seen = _train_calls(
        tmp_path,
        monkeypatch,
        {
            "budget": "10m",
            "stages": [
                {"kind": "new_embeddings", "steps": 1, "lr": 1e-3},
                {"kind": "full", "steps": 2, "lr": 1e-4, "budget": "2m"},
                {"kind": "full", "steps": 3, "lr": 1e-4},
            ],
            "sft": {"data": "chat.jsonl", "steps": 4, "lr": 1e-5},
        },
    )
    # 600 s less the stage that names its own 120 s, by weights 1 : 3 : 4
    assert [s.budget_s for s in seen["cpt"]["stages"]] == [60.0, 120.0, 180.0]
    # SFT takes what the CPT stages left (they reported 100 s)
    assert seen["sft"]["budget_s"] == 500.0
    assert seen["figures"]["budget_s"] == 600.0
    assert seen["figures"]["cpt"]["precision"] == "fp32"


def test_without_a_budget_the_steps_stand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _train_calls(
        tmp_path, monkeypatch, {"stages": [{"kind": "full", "steps": 7, "lr": 1e-4}]}
    )
    (stage,) = seen["cpt"]["stages"]
    assert stage.steps == 7 and stage.budget_s is None and "budget_s" not in seen["figures"]


def test_export_stage_writes_one_gguf_per_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[export] gguf` → ``model.<type>.gguf`` in the run folder, listed as artefacts; the
    files are the stage's outputs (cleared when its fingerprint changes: test_build)."""
    import hanji.export.gguf

    written: list[tuple[str, str]] = []

    class Result:
        bytes = 2_000_000
        pre_tokenizer = "gpt-2"

    def fake_export(model: Path, out: Path, *, gguf_type: str, name: str) -> Result:
        written.append((Path(model).name, gguf_type))
        Path(out).write_bytes(b"GGUF")
        return Result()

    monkeypatch.setattr(hanji.export.gguf, "export_gguf", fake_export)
    recipe = parse_recipe({"export": {"gguf": ["q8_0", "f16"]}}, path=tmp_path / "r.toml")
    run = tmp_path / "run"
    manifest = Manifest(run / "manifest.json", "r", "r.toml")
    manifest.record("train").artifacts = {"model": str(run / "model")}
    ctx = stages.Context(recipe, run, manifest, log=lambda _: None)
    run.mkdir()
    arts, figures = stages.run_export(ctx)
    assert written == [("model", "q8_0"), ("model", "f16")]
    assert arts == {
        "gguf_q8_0": str(run / "model.q8_0.gguf"),
        "gguf_f16": str(run / "model.f16.gguf"),
    }
    assert figures["q8_0"] == {"mb": 2.0, "pre_tokenizer": "gpt-2"}
    assert "model.q8_0.gguf" in stages.STAGES["export"][1]
    assert stages.run_export(
        stages.Context(parse_recipe({}, path=tmp_path / "r.toml"), run, manifest, lambda _: None)
    ) == ({}, {"gguf": []})
