import json
from pathlib import Path

import pytest

from hanji.evaluate.sources import TaskSpec
from hanji.evaluate.suite_files import KOREAN_HUB_TASKS, load_suite

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def test_quick_is_offline_and_uses_the_sample_set() -> None:
    cfg = load_suite("quick")
    assert cfg.name == "quick" and cfg.heldout == [SAMPLE / "heldout"]
    assert cfg.tasks == [str(SAMPLE / "eval")] and cfg.generations is not None
    assert cfg.max_chars and cfg.few_shot == 0


def test_korean_adds_the_hub_benchmarks() -> None:
    cfg = load_suite("korean")
    assert cfg.tasks[1:] == KOREAN_HUB_TASKS and cfg.task_limit == 200


def test_a_toml_suite_resolves_paths_against_its_folder(tmp_path) -> None:
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "copa.jsonl").write_text("", "utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(
        """
heldout = ["held/*.jsonl"]
probe = "probe.jsonl"
few_shot = 2
tasks = ["eval/copa.jsonl", "kobest_wic"]

[[task]]
hub = "kmmlu:Law"
mode = "text"
k = 5

[generations]
prompts = ["한국의 전통 종이를 소개해 주세요."]
max_new_tokens = 8
""",
        "utf-8",
    )
    cfg = load_suite(path)
    assert cfg.name == "mine" and cfg.heldout == [tmp_path / "held/*.jsonl"]
    assert cfg.probe == tmp_path / "probe.jsonl" and cfg.few_shot == 2
    assert cfg.tasks[:2] == [str(tmp_path / "eval/copa.jsonl"), "kobest_wic"]
    assert cfg.tasks[2] == TaskSpec(name="kmmlu:Law", hub="kmmlu:Law", mode="text", k=5)
    assert cfg.generations.prompts == ["한국의 전통 종이를 소개해 주세요."]
    assert cfg.generations.max_new_tokens == 8


def test_json_suites_and_generations_off(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "bpc-only", "heldout": ["a.jsonl"], "window": 256}))
    cfg = load_suite(path)
    assert cfg.name == "bpc-only" and cfg.window == 256 and cfg.generations is None
    assert cfg.precision == "auto"
    path.write_text(json.dumps({"heldout": ["a.jsonl"], "precision": "fp32"}))
    assert load_suite(path).precision == "fp32"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("heldot = []", r"unknown key\(s\) \['heldot'\]"),
        ("[[task]]\npath = 'a.jsonl'\nhub = 'click'", "exactly one of 'path' or 'hub'"),
        ("[[task]]\nhub = 'click'\nmode = 'letter'", "mode must be one of"),
        ("few_shot = -1", "few_shot must be >= 0"),
        ("precision = 'fp16'", "precision must be auto, fp32 or bf16"),
        ("[generations]\nmax_tokens = 3", r"generations: unknown key"),
        ("heldout = [", "not valid TOML"),
    ],
)
def test_bad_suites_name_the_key(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ValueError, match=message):
        load_suite(path)


def test_unknown_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown built-in suite 'fast'"):
        load_suite("fast")
