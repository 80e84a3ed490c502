"""Each stage package owns its fingerprint; the manifest survives a moved project folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from hanji.build import build, stages
from hanji.build.manifest import Manifest
from hanji.recipe import parse_recipe

NEWS = [
    "서울시는 오늘 새 버스 노선을 발표했다. 시민들은 출퇴근이 편해질 것이라고 말했다.",
    "기상청은 내일 전국에 비가 내릴 것이라고 예보했다. 우산을 챙기는 것이 좋겠다.",
]


def _project(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    for name, texts in (("train.jsonl", NEWS), ("heldout.jsonl", NEWS[:1])):
        (root / "data" / name).write_text(
            "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), "utf-8"
        )
    recipe = root / "r.toml"
    recipe.write_text(
        """[[corpus.sources]]
path = "data/train.jsonl"
domain = "news"
[corpus]
workers = 1
[[train.stages]]
kind = "full"
steps = 1
lr = 1e-3
[eval]
heldout = ["data/heldout.jsonl"]
[output]
dir = "runs/toy"
""",
        "utf-8",
    )
    return recipe


def _fingerprints(root: Path, **sections: dict[str, Any]) -> dict[str, str]:
    """Every stage's fingerprint, each given those of the stages before it."""
    import tomllib

    data = tomllib.loads((root / "r.toml").read_text("utf-8"))
    for section, values in sections.items():
        data.setdefault(section, {}).update(values)
    recipe = parse_recipe(data, path=root / "r.toml")
    manifest = Manifest(root / "runs" / "toy" / "manifest.json", "toy", "r.toml")
    ctx = stages.Context(recipe, root / "runs" / "toy", manifest, log=lambda _: None)
    out = {}
    for name in stages.STAGES:
        out[name] = stages.stage_fingerprint(ctx, name)
        manifest.record(name).fingerprint = out[name]
    return out


def test_how_the_corpus_is_computed_changes_no_fingerprint(tmp_path: Path) -> None:
    _project(tmp_path)
    before = _fingerprints(tmp_path)
    assert len(set(before.values())) == len(before)
    assert _fingerprints(tmp_path, corpus={"workers": 7, "executor": "slurm"}) == before


@pytest.mark.parametrize(
    ("section", "change", "first_changed"),
    [
        ("corpus", {"pii_mode": "mask"}, "corpus"),
        ("corpus", {"weights": {"news": 2.0}}, "corpus"),
        ("lexicon", {"top_k": 5}, "lexicon"),
        ("tokenizer", {"add_tokens": 10}, "tokenizer"),
        ("train", {"seq_len": 64}, "train"),
        ("eval", {"window": 64}, "eval"),
        ("export", {"gguf": ["q8_0"]}, "export"),
    ],
)
def test_a_real_setting_reruns_its_stage_and_those_after(
    tmp_path: Path, section: str, change: dict[str, Any], first_changed: str
) -> None:
    _project(tmp_path)
    before = _fingerprints(tmp_path)
    after = _fingerprints(tmp_path, **{section: change})
    names = list(stages.STAGES)
    changed = [n for n in names if after[n] != before[n]]
    assert changed[0] == first_changed
    assert all(after[n] == before[n] for n in names[: names.index(first_changed)])


def test_an_input_file_change_reruns_the_corpus(tmp_path: Path) -> None:
    _project(tmp_path)
    before = _fingerprints(tmp_path)
    with (tmp_path / "data" / "train.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "새 문서가 하나 더 있다."}, ensure_ascii=False) + "\n")
    assert all(
        a != b for a, b in zip(_fingerprints(tmp_path).values(), before.values(), strict=True)
    )


def _toy_stages(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    """Stages that write a file each and read their upstream artefact, without models."""

    def make(name: str, reads: tuple[str, str] | None):
        def run(ctx: stages.Context) -> tuple[dict[str, str], dict[str, Any]]:
            calls.append(name)
            if reads is not None:
                upstream = ctx.artifact(*reads)
                assert upstream is not None and Path(upstream).is_file(), upstream
                assert Path(upstream).is_relative_to(ctx.run_dir)
            out = ctx.run_dir / name / "out.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(f"{name} 완료", "utf-8")
            return {"file": str(out), "base": "HuggingFaceTB/SmolLM2-135M"}, {}

        return run

    chain = [
        None,
        ("corpus", "file"),
        ("lexicon", "file"),
        ("tokenizer", "file"),
        ("train", "file"),
        ("train", "file"),  # export reads the trained model
    ]
    for (name, (_, outputs)), reads in zip(list(stages.STAGES.items()), chain, strict=True):
        monkeypatch.setitem(stages.STAGES, name, (make(name, reads), outputs))


def test_a_moved_project_resolves_and_skips(tmp_path: Path, monkeypatch) -> None:
    calls: list[str] = []
    _toy_stages(monkeypatch, calls)
    recipe = _project(tmp_path / "here")
    build(recipe, progress=False)
    assert calls == list(stages.STAGES)
    stored = json.loads((tmp_path / "here" / "runs" / "toy" / "manifest.json").read_text())
    assert stored["stages"]["lexicon"]["artifacts"] == {
        "file": "./lexicon/out.txt",
        "base": "HuggingFaceTB/SmolLM2-135M",
    }

    shutil.move(tmp_path / "here", tmp_path / "there")
    calls.clear()
    manifest = build(tmp_path / "there" / "r.toml", progress=False)
    assert calls == []  # every stage skipped: same fingerprints after the move
    run = tmp_path / "there" / "runs" / "toy"
    assert manifest.stages["train"].artifacts["file"] == str(run / "train" / "out.txt")
    assert manifest.stages["train"].artifacts["base"] == "HuggingFaceTB/SmolLM2-135M"

    build(tmp_path / "there" / "r.toml", progress=False, only="eval")
    assert calls == ["eval"]  # and a rerun finds its inputs where they are now


def test_a_copy_with_new_mtimes_keeps_its_fingerprints(tmp_path: Path) -> None:
    """Copies that do not keep mtimes (cp -r, scp) are the same inputs: content decides."""
    _project(tmp_path / "here")
    before = _fingerprints(tmp_path / "here")
    shutil.copytree(tmp_path / "here", tmp_path / "there", copy_function=shutil.copy)
    assert _fingerprints(tmp_path / "there") == before


def test_same_size_new_content_reruns_the_corpus(tmp_path: Path) -> None:
    _project(tmp_path)
    before = _fingerprints(tmp_path)
    path = tmp_path / "data" / "train.jsonl"
    text = path.read_text("utf-8")
    path.write_text(text.replace("버스", "전철"), "utf-8")  # same length in UTF-8 bytes
    assert path.stat().st_size == len(text.encode("utf-8"))
    after = _fingerprints(tmp_path)
    assert all(after[n] != before[n] for n in stages.STAGES)


def test_data_beside_the_recipe_folder_moves_with_the_project(tmp_path: Path) -> None:
    """A recipe in recipes/ naming ../data (as the shipped recipes do) keeps its
    fingerprints when the whole project is copied elsewhere without its mtimes."""
    root = tmp_path / "proj"
    _project(root)
    (root / "recipes").mkdir()
    text = (root / "r.toml").read_text("utf-8").replace('"data/', '"../data/')
    (root / "recipes" / "r.toml").write_text(text.replace('"runs/', '"../runs/'), "utf-8")

    def fingerprints(project: Path) -> dict[str, str]:
        import tomllib

        recipe_file = project / "recipes" / "r.toml"
        recipe = parse_recipe(tomllib.loads(recipe_file.read_text("utf-8")), path=recipe_file)
        run = project / "runs" / "toy"
        ctx = stages.Context(recipe, run, Manifest(run / "m.json", "toy", "r"), log=print)
        out = {}
        for name in stages.STAGES:
            out[name] = stages.stage_fingerprint(ctx, name)
            ctx.manifest.record(name).fingerprint = out[name]
        return out

    before = fingerprints(root)
    shutil.copytree(root, tmp_path / "elsewhere" / "proj2", copy_function=shutil.copy)
    assert fingerprints(tmp_path / "elsewhere" / "proj2") == before
