import itertools
import json
import math

import pytest
import torch
from safetensors.torch import load_file

from hanji.train import LoopConfig, StageSpec, train_cpt
from hanji.train.loop import lr_factor

CFG = dict(batch_size=2, progress=False, checkpoint_every=1000)


def _weights(path):
    return load_file(str(path / "model.safetensors"))


def test_loss_decreases(toy_model_dir, korean_jsonl, tmp_path) -> None:
    summary = train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "out",
        steps=40,
        lr=1e-2,
        seq_len=32,
        config=LoopConfig(**CFG),
    )
    losses = [x["loss"] for x in summary.losses]
    assert summary.completed and len(losses) == 40
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5
    out = tmp_path / "out"
    saved = json.loads((out / "training_summary.json").read_text())
    assert saved["tokens_seen"] == 40 * 2 * 32
    assert set(saved["tokens_by_domain"]) == {"news", "literature"}
    assert (out / "config.json").is_file() and (out / "tokenizer.json").is_file()
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 40
    assert not (out / "checkpoints").exists()
    assert (out / "generation_config.json").is_file()
    # a held-out block per domain, scored at the end of the stage
    assert saved["heldout_blocks"] == {"news": 1, "literature": 1}
    assert saved["unsampled_domains"] == []
    (ev,) = saved["eval_losses"]
    assert ev["step"] == 40 and math.isfinite(ev["loss"])


def test_lora_stage_is_merged_into_plain_weights(toy_model_dir, korean_jsonl, tmp_path) -> None:
    before = _weights(toy_model_dir)
    train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "l",
        stages=[StageSpec("lora", 4, 1e-2, lora_r=4, lora_alpha=8)],
        seq_len=32,
        config=LoopConfig(**CFG),
    )
    after = _weights(tmp_path / "l")
    assert set(after) == set(before)  # merged: no adapter tensors left
    for name in ("model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight"):
        assert not torch.equal(after[name], before[name]), name
    assert not torch.equal(after["model.embed_tokens.weight"], before["model.embed_tokens.weight"])
    for name in ("model.norm.weight", "model.layers.0.input_layernorm.weight"):
        assert torch.equal(after[name], before[name]), name  # not a LoRA target, not trainable


def test_unweighted_domain_is_reported(toy_model_dir, korean_jsonl, tmp_path) -> None:
    train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "m",
        steps=2,
        seq_len=32,
        config=LoopConfig(**CFG),
        probabilities={"news": 1.0},
    )
    saved = json.loads((tmp_path / "m" / "training_summary.json").read_text())
    assert saved["unsampled_domains"] == ["literature"]
    assert set(saved["tokens_by_domain"]) == {"news"}


def test_new_embeddings_stage_leaves_old_rows_bit_identical(
    toy_expanded_dir, korean_jsonl, tmp_path
) -> None:
    before = _weights(toy_expanded_dir)
    stages = [StageSpec("new_embeddings", 5, 1e-2)]
    train_cpt(
        str(toy_expanded_dir),
        [korean_jsonl],
        tmp_path / "o",
        stages=stages,
        seq_len=32,
        config=LoopConfig(weight_decay=0.1, **CFG),  # decay must not touch the old rows either
    )
    after = _weights(tmp_path / "o")
    n_old = json.loads((toy_expanded_dir / "hanji_vocab.json").read_text())["base_vocab_size"]
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        assert torch.equal(after[name][:n_old], before[name][:n_old]), name
        assert not torch.equal(after[name][n_old:], before[name][n_old:]), name
    for name, tensor in before.items():
        if name not in ("model.embed_tokens.weight", "lm_head.weight"):
            assert torch.equal(after[name], tensor), name
    assert (tmp_path / "o" / "hanji_vocab.json").is_file()


def test_resume_matches_an_uninterrupted_run(toy_expanded_dir, korean_jsonl, tmp_path) -> None:
    stages = [
        StageSpec("new_embeddings", 3, 1e-2, warmup_steps=1),
        StageSpec("full", 4, 1e-3, warmup_steps=1),
    ]
    kw = dict(stages=stages, seq_len=32)
    train_cpt(str(toy_expanded_dir), [korean_jsonl], tmp_path / "a", config=LoopConfig(**CFG), **kw)
    for stop in (2, 5):  # stop mid-stage 1, then again mid-stage 2
        cut = train_cpt(
            str(toy_expanded_dir),
            [korean_jsonl],
            tmp_path / "b",
            config=LoopConfig(stop_after=stop, **CFG),
            resume=stop > 2,
            **kw,
        )
        assert not cut.completed and cut.steps == stop
        assert (tmp_path / "b" / "checkpoints" / "last.pt").is_file()
    done = train_cpt(
        str(toy_expanded_dir),
        [korean_jsonl],
        tmp_path / "b",
        config=LoopConfig(**CFG),
        resume=True,
        **kw,
    )
    assert done.completed and done.steps == 7
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6)
    la = json.loads((tmp_path / "a" / "training_summary.json").read_text())["losses"]
    lb = json.loads((tmp_path / "b" / "training_summary.json").read_text())["losses"]
    assert [x["loss"] for x in la] == pytest.approx([x["loss"] for x in lb], rel=1e-5)


def test_refuses_to_overwrite_a_checkpoint_without_resume(toy_model_dir, korean_jsonl, tmp_path):
    train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "c",
        steps=4,
        seq_len=32,
        config=LoopConfig(stop_after=2, **CFG),
    )
    with pytest.raises(ValueError, match="pass --resume"):
        train_cpt(
            str(toy_model_dir),
            [korean_jsonl],
            tmp_path / "c",
            steps=4,
            seq_len=32,
            config=LoopConfig(**CFG),
        )
    with pytest.raises(ValueError, match="same --batch-size"):
        train_cpt(
            str(toy_model_dir),
            [korean_jsonl],
            tmp_path / "c",
            steps=4,
            seq_len=32,
            config=LoopConfig(**{**CFG, "batch_size": 3}),
            resume=True,
        )


def test_schedule_warmup_then_cosine_floor() -> None:
    spec = StageSpec("full", 10, 1.0, warmup_steps=2)
    factors = [lr_factor(s, spec, 0.1) for s in range(10)]
    assert factors[0] == 0.5 and factors[1] == 1.0 and factors[2] == 1.0
    # the decay reaches its floor on the last step itself (issue 22), not one step after it
    assert factors[-1] == pytest.approx(0.1) and factors[-2] > 0.1
    assert all(a >= b for a, b in itertools.pairwise(factors[1:]))


def test_bad_stage_names_the_field() -> None:
    with pytest.raises(ValueError, match="steps must be >= 1"):
        StageSpec("full", 0, 1e-4)
    with pytest.raises(ValueError, match="--batch-size must be >= 1"):
        LoopConfig(batch_size=0)
    with pytest.raises(ValueError, match="precision must be auto, fp32 or bf16"):
        LoopConfig(precision="fp16")


@pytest.mark.parametrize(("precision", "dtype"), [("fp32", "float32"), ("bf16", "bfloat16")])
def test_precision_is_applied_and_recorded(
    toy_model_dir, korean_jsonl, tmp_path, precision, dtype
) -> None:
    """bf16 autocasts the forward (fp32 master weights and optimiser); both learn."""
    summary = train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "out",
        steps=20,
        lr=1e-2,
        seq_len=32,
        config=LoopConfig(**CFG, precision=precision),
    )
    losses = [x["loss"] for x in summary.losses]
    assert summary.dtype == dtype
    assert sum(losses[-3:]) < sum(losses[:3])
    weights = _weights(tmp_path / "out")
    assert all(t.dtype == torch.float32 for t in weights.values())


def test_lora_resume_matches_an_uninterrupted_run(toy_model_dir, korean_jsonl, tmp_path) -> None:
    kw = dict(stages=[StageSpec("lora", 4, 1e-2, lora_r=4, lora_alpha=8)], seq_len=32)
    train_cpt(str(toy_model_dir), [korean_jsonl], tmp_path / "a", config=LoopConfig(**CFG), **kw)
    cut = LoopConfig(stop_after=2, **CFG)
    train_cpt(str(toy_model_dir), [korean_jsonl], tmp_path / "b", config=cut, **kw)
    train_cpt(
        str(toy_model_dir),
        [korean_jsonl],
        tmp_path / "b",
        config=LoopConfig(**CFG),
        resume=True,
        **kw,
    )
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6)
