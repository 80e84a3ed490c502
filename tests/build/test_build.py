"""A miniature recipe end to end in seconds: toy model, a few Korean documents."""

import json
import re
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from hanji.build import BuildError, build

ROOT = Path(__file__).parents[2]


def _toy_base(out: Path, texts: list[str]) -> Path:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>"],
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|endoftext|>", clean_up_tokenization_spaces=False
    )
    cfg = LlamaConfig(
        vocab_size=len(hf),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        eos_token_id=hf.eos_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(out)
    hf.save_pretrained(out)
    return out


@pytest.fixture()
def mini_recipe(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    sample = ROOT / "data" / "sample"
    for split in ("train", "heldout"):
        (data / split).mkdir()
        for domain in ("news", "neologism"):
            lines = (sample / split / f"{domain}.jsonl").read_text("utf-8").splitlines()
            keep = lines[:8] if split == "train" else lines[:2]
            (data / split / f"{domain}.jsonl").write_text("\n".join(keep) + "\n", "utf-8")
    texts = [
        json.loads(x)["text"]
        for x in (data / "train" / "news.jsonl").read_text().split("\n")
        if x.strip()
    ]
    _toy_base(tmp_path / "base", texts)
    recipe = tmp_path / "mini.toml"
    recipe.write_text(
        """# Run with:  hanji build mini.toml
[model]
base = "base"
[[corpus.sources]]
path = "data/train/news.jsonl"
domain = "news"
[[corpus.sources]]
path = "data/train/neologism.jsonl"
domain = "neologism"
[corpus]
workers = 1
near_dedup = false
[lexicon]
top_k = 10
[tokenizer]
add_tokens = 200
[train]
seq_len = 32
batch_size = 2
[[train.stages]]
kind = "new_embeddings"
steps = 2
lr = 1e-2
[[train.stages]]
kind = "full"
steps = 2
lr = 1e-3
[eval]
heldout = ["data/heldout/*.jsonl"]
[export]
gguf = ["f16"]
[output]
dir = "runs/mini"
""",
        "utf-8",
    )
    return recipe


@pytest.mark.slow
def test_mini_build_end_to_end_then_skips(mini_recipe: Path) -> None:
    manifest = build(mini_recipe, progress=False)
    run = mini_recipe.parent / "runs" / "mini"
    data = json.loads((run / "manifest.json").read_text())
    assert list(data["stages"]) == ["corpus", "lexicon", "tokenizer", "train", "eval", "export"]
    assert all(s["status"] == "done" and s["fingerprint"] for s in data["stages"].values())
    assert (run / "model" / "config.json").is_file()
    results = json.loads((run / "eval" / "results.json").read_text())
    assert results["model"]["bpc"] > 0 and results["baseline"]["bpc"] > 0
    assert set(results["model"]["bpc_by_domain"]) == {"news", "neologism"}
    assert results["delta"]["chars_per_token"]["ratio"] > 1
    assert "report_html" in manifest.stages["eval"].artifacts
    assert Path(manifest.stages["eval"].artifacts["report_html"]).is_file()
    gguf = run / "model.f16.gguf"
    # stored relative to the run folder, read back as a path
    assert data["stages"]["export"]["artifacts"] == {"gguf_f16": "./model.f16.gguf"}
    assert manifest.stages["export"].artifacts == {"gguf_f16": str(gguf)}
    assert gguf.is_file() and data["stages"]["export"]["figures"]["f16"]["pre_tokenizer"] == "gpt-2"

    before = {k: v["ended"] for k, v in data["stages"].items()}
    build(mini_recipe, progress=False)  # nothing changed: every stage is skipped
    again = json.loads((run / "manifest.json").read_text())["stages"]
    assert {k: v["ended"] for k, v in again.items()} == before

    build(mini_recipe, progress=False, from_stage="eval")  # re-runs eval alone
    last = json.loads((run / "manifest.json").read_text())["stages"]
    assert last["eval"]["ended"] > before["eval"] and last["train"]["ended"] == before["train"]

    # another GGUF type: the export stage alone reruns, and the old type's file goes
    text = mini_recipe.read_text("utf-8").replace('gguf = ["f16"]', 'gguf = ["q8_0"]')
    mini_recipe.write_text(text, "utf-8")
    build(mini_recipe, progress=False)
    final = json.loads((run / "manifest.json").read_text())["stages"]
    assert final["export"]["ended"] > last["export"]["ended"]
    assert {k: v["ended"] for k, v in final.items() if k != "export"} == {
        k: v["ended"] for k, v in last.items() if k != "export"
    }
    assert sorted(p.name for p in run.glob("*.gguf")) == ["model.q8_0.gguf"]


def test_bad_stage_name_is_a_clear_error(mini_recipe: Path) -> None:
    with pytest.raises(BuildError, match="--from 'trian' is not a stage"):
        build(mini_recipe, from_stage="trian", progress=False)
    with pytest.raises(BuildError, match="--only train needs stage 'corpus' done first"):
        build(mini_recipe, only="train", progress=False)


@pytest.mark.slow
def test_mini_build_to_a_budget(mini_recipe: Path, monkeypatch, capfd) -> None:
    """A real clock end to end: the budget fixes each stage's steps, the summary says what it
    gave, a log file gets plain progress lines, and a re-run eval reads the base's figures."""
    from rich.console import Console

    from hanji.build.summary import print_summary

    monkeypatch.setenv("HANJI_CACHE", str(mini_recipe.parent / "cache"))
    text = mini_recipe.read_text("utf-8").replace("[train]\n", '[train]\nbudget = "20s"\n')
    mini_recipe.write_text(text, "utf-8")
    manifest = build(mini_recipe, progress=True)
    train = manifest.stages["train"].figures
    plans = train["cpt"]["budget"]
    assert train["budget_s"] == 20.0 and [p["budget_s"] for p in plans] == [10.0, 10.0]
    assert all(p["steps"] >= 5 for p in plans)  # more than the 2 + 2 steps the recipe weighs
    assert train["cpt"]["steps"] == sum(p["steps"] for p in plans)
    err = capfd.readouterr().err
    # the stage's first step (its total not fixed yet), then its last
    assert re.search(r"cpt 2/2 full: step 1/\? loss [\d.]+ [\d,]+ tok/s elapsed \w+ remaining", err)
    steps = plans[1]["steps"]
    assert re.search(rf"cpt 2/2 full: step {steps}/{steps} loss .* remaining 0s", err)
    assert manifest.stages["eval"].figures["base"]["cached"] is False

    manifest = build(mini_recipe, progress=False, from_stage="eval")
    assert manifest.stages["eval"].figures["base"]["cached"] is True
    console = Console(record=True, width=200)
    print_summary(manifest, console)
    printed = " ".join(console.export_text().split())
    assert f"cpt: {train['cpt']['steps']} steps in" in printed and "the budget gave" in printed
    assert "base model's figures: read from the cache" in printed
