"""The base model's figures are computed once per (model, data, settings) and reused."""

import json

import pytest

from hanji.evaluate import suite_run
from hanji.evaluate.suite_run import SuiteConfig, run_suite

HELDOUT = [
    {"text": "한지는 닥나무 껍질로 만든 종이다.", "domain": "textbook"},
    {"text": "요즘은 갓생을 산다는 말을 자주 듣는다.", "domain": "neologism"},
]


@pytest.fixture()
def setup(tmp_path, toy_llama, smol_tokenizer, monkeypatch):
    dirs = []
    for seed in (0, 1):
        path = tmp_path / f"m{seed}"
        toy_llama(len(smol_tokenizer), seed=seed).save_pretrained(path)
        smol_tokenizer.save_pretrained(path)
        dirs.append(path)
    held = tmp_path / "held.jsonl"
    held.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HELDOUT), "utf-8")
    calls: list[str] = []
    real = suite_run.evaluate_model

    def counted(ref, cfg, **kw):
        calls.append(str(ref))
        return real(ref, cfg, **kw)

    monkeypatch.setattr(suite_run, "evaluate_model", counted)
    return dirs, held, calls


def test_base_figures_are_computed_once_then_read(setup, tmp_path, toy_llama) -> None:
    (model, base), held, calls = setup
    cache = tmp_path / "cache"
    cfg = SuiteConfig(heldout=[held], precision="fp32")
    first = run_suite(str(model), tmp_path / "a", cfg, baseline=str(base), base_cache=cache)
    assert first["baseline"]["cache"]["hit"] is False and calls == [str(model), str(base)]
    assert len(list(cache.glob("*.json"))) == 1

    # another build (here: the same model again, another output) reads the base's figures
    again = run_suite(str(model), tmp_path / "b", cfg, baseline=str(base), base_cache=cache)
    assert again["baseline"]["cache"]["hit"] is True and calls[2:] == [str(model)]
    assert again["baseline"]["bpc"] == first["baseline"]["bpc"]
    assert again["delta"]["bpc"] == first["delta"]["bpc"]
    saved = json.loads((tmp_path / "b" / "results.json").read_text("utf-8"))
    assert saved["baseline"]["cache"]["hit"] is True

    # whatever decides the figures changes the key: settings, data, the base's weights
    calls.clear()
    other = SuiteConfig(heldout=[held], precision="fp32", max_chars=10)
    run_suite(str(model), tmp_path / "c", other, baseline=str(base), base_cache=cache)
    held.write_text(json.dumps(HELDOUT[0], ensure_ascii=False), "utf-8")
    run_suite(str(model), tmp_path / "d", cfg, baseline=str(base), base_cache=cache)
    vocab = json.loads((base / "config.json").read_text())["vocab_size"]
    toy_llama(vocab, seed=2).save_pretrained(base)
    run_suite(str(model), tmp_path / "e", cfg, baseline=str(base), base_cache=cache)
    assert calls.count(str(base)) == 3 and len(list(cache.glob("*.json"))) == 4


def test_without_a_cache_folder_the_base_is_evaluated(setup, tmp_path) -> None:
    (model, base), held, calls = setup
    cfg = SuiteConfig(heldout=[held], precision="fp32")
    for out in ("a", "b"):
        res = run_suite(str(model), tmp_path / out, cfg, baseline=str(base))
        assert "cache" not in res["baseline"]
    assert calls.count(str(base)) == 2


def test_ticker_logs_at_least_every_thirty_seconds() -> None:
    """A log file shows the evaluation is alive: a line before a gap would pass 30 s."""
    now = [0.0]
    lines: list[str] = []
    tick = suite_run.ticker(lines.append, "base: held-out BPC", 20, clock=lambda: now[0])
    for _ in range(20):
        now[0] += 7.0  # each document takes 7 s
        tick()
    assert lines[0] == "base: held-out BPC: 4/20 documents, 28s"
    stamps = [int(x.rsplit(", ", 1)[1][:-1]) for x in lines]
    assert all(0 < b - a <= 30 for a, b in zip([0, *stamps], stamps, strict=False))
    assert 140 - stamps[-1] <= 30
