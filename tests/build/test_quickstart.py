"""The shipped quickstart recipe on the embedded SmolLM2, with training cut to a few steps.

The full recipe is what `make demo` runs (minutes); this keeps every stage real — the
corpus pipeline, neologism mining, vocabulary expansion of the 135M model, both training
stages and the evaluation against the base — and checks the figures that do not need long
training: the tokenizer gain and the probe's construction.
"""

import json
import tomllib
from pathlib import Path

import pytest

from hanji.build import build

ROOT = Path(__file__).parents[2]


def _absolute(value, base: Path):
    if isinstance(value, str) and value.startswith(".."):
        return str((base / value).resolve())
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _absolute(v, base) for k, v in value.items()}
    return value


def _dump(data: dict) -> str:
    """A tiny TOML writer for the recipe's shapes (tables, arrays of tables, scalars)."""
    lines: list[str] = ["# Run with:  hanji build quickstart-ci.toml"]

    def scalar(v) -> str:
        return json.dumps(v, ensure_ascii=False)

    def table(prefix: str, d: dict) -> None:
        plain = {
            k: v
            for k, v in d.items()
            if not isinstance(v, dict | list)
            or (isinstance(v, list) and not (v and isinstance(v[0], dict)))
        }
        lines.append(f"[{prefix}]")
        for k, v in plain.items():
            if isinstance(v, list):
                lines.append(f"{k} = [{', '.join(scalar(x) for x in v)}]")
            else:
                lines.append(f"{k} = {scalar(v)}")
        for k, v in d.items():
            if isinstance(v, dict):
                inner = ", ".join(f"{ik} = {scalar(iv)}" for ik, iv in v.items())
                lines.append(f"{k} = {{ {inner} }}")
        for k, v in d.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                for item in v:
                    lines.append(f"[[{prefix}.{k}]]")
                    lines.extend(f"{ik} = {scalar(iv)}" for ik, iv in item.items())

    for section, d in data.items():
        table(section, d)
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_quickstart_recipe_with_short_training(tmp_path: Path) -> None:
    src = ROOT / "recipes" / "quickstart.toml"
    data = _absolute(tomllib.loads(src.read_text("utf-8")), src.parent)
    data["train"].pop("budget")  # two steps, not the shipped minutes
    for stage in data["train"]["stages"]:
        stage["steps"], stage["warmup_steps"] = 2, 0
    data["eval"]["max_chars"] = 2500
    data["output"]["dir"] = str(tmp_path / "run")
    recipe = tmp_path / "quickstart-ci.toml"
    recipe.write_text(_dump(data), "utf-8")

    manifest = build(recipe, progress=False)
    stages = manifest.stages
    assert all(rec.status == "done" for rec in stages.values())
    corpus = stages["corpus"].figures
    assert corpus["read"] == corpus["kept"] + sum(corpus["dropped"].values())
    assert set(corpus["dropped"]) >= {"exact_duplicate", "near_duplicate"}
    assert stages["lexicon"].figures["accepted"] >= 15
    tok = stages["tokenizer"].figures["chars_per_token_heldout"]
    assert tok["ratio"] >= 3.0, tok  # acceptance figure: ≥ 3× the base's chars/token
    results = json.loads(Path(stages["eval"].artifacts["results"]).read_text())
    assert results["model"]["probe"]["n"] >= 20
    assert Path(stages["train"].artifacts["model"], "config.json").is_file()
    gguf = Path(stages["export"].artifacts["gguf_q8_0"])
    assert gguf == tmp_path / "run" / "model.q8_0.gguf" and gguf.stat().st_size > 50e6
