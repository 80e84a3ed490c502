"""Training in several processes: the global batch, not the process count, decides a step."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from safetensors.torch import load_file

from hanji.train import LoopConfig, train_cpt
from hanji.train.loop import Trainer

CONFIGS = Path(__file__).parents[2] / "configs" / "accelerate"
STEPS, BATCH, SEQ = 8, 8, 32


def _trainer(world: int, rank: int) -> Trainer:
    t = Trainer.__new__(Trainer)
    t.accel = SimpleNamespace(num_processes=world, process_index=rank, device="cpu")
    return t


def test_each_process_trains_its_slice_of_the_global_batch() -> None:
    ids = torch.arange(8 * 3).reshape(8, 3)
    labels = ids.clone()
    labels[5:, 1:] = -100  # rows of unequal length, as in SFT
    batch = {"input_ids": ids, "labels": labels}
    parts = [_trainer(2, r)._shard(batch) for r in (0, 1)]
    assert torch.equal(torch.cat([p[0] for p in parts]), ids)
    assert torch.equal(parts[1][1], labels[4:])
    # the count of learned tokens is the global batch's on every process
    assert [p[2] for p in parts] == [8 * 3 - 3 * 2] * 2
    with pytest.raises(ValueError, match="--batch-size 8"):
        _trainer(3, 0)._shard(batch)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _args(model: Path, data: Path, out: Path, *extra: str) -> list[str]:
    return [
        *("train", "cpt", "--model", str(model), "--data", str(data), "--out", str(out)),
        *("--steps", str(STEPS), "--seq-len", str(SEQ), "--batch-size", str(BATCH)),
        *("--lr", "1e-2", "--precision", "fp32", *extra),
    ]


def _launch(config: str, args: list[str]) -> None:
    cmd = [
        *(sys.executable, "-m", "accelerate.commands.launch"),
        *("--config_file", str(CONFIGS / config), "--main_process_port", str(_free_port())),
        *("-m", "hanji.cli", *args),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]


def _one(args: list[str]) -> None:
    cmd = [sys.executable, "-m", "hanji.cli", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def _assert_same_run(ref: Path, out: Path) -> None:
    """Per-step losses within 1 % (measured: equal to 5 decimals), weights within 1e-5
    (measured: 8.6e-7 at most, the order of summation in the all-reduce)."""
    a, b = _rows(ref), _rows(out)
    assert [r["step"] for r in b] == list(range(1, STEPS + 1))
    for x, y in zip(a, b, strict=True):
        assert y["loss"] == pytest.approx(x["loss"], rel=0.01), (x, y)
        assert y["tokens"] == x["tokens"] == x["step"] * BATCH * SEQ  # all processes' tokens
    wa, wb = load_file(str(ref / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert set(wa) == set(wb)
    for name in wa:
        torch.testing.assert_close(wb[name], wa[name], atol=1e-5, rtol=0, msg=name)


@pytest.fixture()
def one_process(toy_model_dir, korean_jsonl, tmp_path) -> Path:
    out = tmp_path / "one"
    cfg = LoopConfig(batch_size=BATCH, progress=False, checkpoint_every=1000, precision="fp32")
    train_cpt(
        str(toy_model_dir), [korean_jsonl], out, steps=STEPS, lr=1e-2, seq_len=SEQ, config=cfg
    )
    rows = _rows(out)
    assert rows[0]["processes"] == 1
    return out


@pytest.mark.slow
@pytest.mark.parametrize("config", ["cpu_ddp.yaml", "cpu_fsdp.yaml"])
def test_two_processes_train_like_one(config, one_process, toy_model_dir, korean_jsonl, tmp_path):
    out = tmp_path / "two"
    _launch(config, _args(toy_model_dir, korean_jsonl, out))
    assert {r["processes"] for r in _rows(out)} == {2}
    _assert_same_run(one_process, out)
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["tokens_seen"] == STEPS * BATCH * SEQ
    assert sum(summary["tokens_by_domain"].values()) == STEPS * BATCH * SEQ


@pytest.mark.slow
def test_resume_across_world_sizes(one_process, toy_model_dir, korean_jsonl, tmp_path) -> None:
    two_then_one, one_then_two = tmp_path / "21", tmp_path / "12"
    _launch("cpu_ddp.yaml", _args(toy_model_dir, korean_jsonl, two_then_one, "--stop-after", "4"))
    _one(_args(toy_model_dir, korean_jsonl, two_then_one, "--resume"))
    _one(_args(toy_model_dir, korean_jsonl, one_then_two, "--stop-after", "4"))
    _launch("cpu_ddp.yaml", _args(toy_model_dir, korean_jsonl, one_then_two, "--resume"))
    assert [r["processes"] for r in _rows(two_then_one)] == [2] * 4 + [1] * 4
    assert [r["processes"] for r in _rows(one_then_two)] == [1] * 4 + [2] * 4
    _assert_same_run(one_process, two_then_one)
    _assert_same_run(one_process, one_then_two)
