"""The end-of-build summary says how training ran: steps, precision, what the budget gave,
and whether the base model's figures were computed or read from the cache."""

from pathlib import Path

from rich.console import Console

from hanji.build.manifest import Manifest, StageRecord
from hanji.build.summary import print_summary


def _manifest(tmp_path: Path, train: dict, base: dict) -> Manifest:
    manifest = Manifest(tmp_path / "manifest.json", "quickstart", "quickstart.toml")
    manifest.stages["train"] = StageRecord(status="done", seconds=310.0, figures=train)
    delta = {"bpc": {"base": 5.42, "new": 4.55, "change": -0.16}, "base": base}
    manifest.stages["eval"] = StageRecord(status="done", seconds=40.0, figures=delta)
    return manifest


def _printed(manifest: Manifest) -> str:
    console = Console(record=True, width=200)
    print_summary(manifest, console)
    return " ".join(console.export_text().split())


def test_summary_prints_precision_and_the_steps_the_budget_gave(tmp_path: Path) -> None:
    plan = {"budget_s": 300.0, "steps": 96, "seconds_per_step": 2.91, "first_step_s": 6.2}
    train = {
        "budget_s": 300.0,
        "cpt": {"steps": 96, "tokens": 98304, "seconds": 296.4, "precision": "bf16"},
    }
    train["cpt"]["budget"] = [plan]
    text = _printed(_manifest(tmp_path, train, {"cached": False, "seconds": 37.5}))
    assert "cpt: 96 steps in 296s, bf16; the budget gave 96 steps for 300s at 2.91 s/step" in text
    assert "base model's figures: computed (cached for the next build), 37.5s" in text


def test_summary_without_a_budget_and_a_cached_base(tmp_path: Path) -> None:
    train = {"cpt": {"steps": 150, "tokens": 153600, "seconds": 400.0, "precision": "fp32"}}
    text = _printed(_manifest(tmp_path, train, {"cached": True, "seconds": 0.1}))
    assert "cpt: 150 steps in 400s, fp32" in text and "the budget gave" not in text
    assert "base model's figures: read from the cache, 0.1s" in text
