"""Training to a wall-time budget, on a toy model and an injected clock: each batch costs a
fixed number of fake seconds, so the measured speed, the chosen step count and the progress
lines are exact."""

import itertools
import json
import re

import pytest
import torch
from transformers import AutoTokenizer, LlamaForCausalLM

from hanji.train import LoopConfig, StageSpec
from hanji.train.budget import BudgetError, format_duration, parse_duration, split_budget
from hanji.train.loop import Trainer, lr_factor


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CostlySource:
    """Random token batches; each costs ``cost`` fake seconds, the first also ``one_off``."""

    def __init__(self, clock: FakeClock, vocab: int, cost: float, one_off: float = 0.0) -> None:
        self.clock, self.vocab, self.cost, self.one_off = clock, vocab, cost, one_off

    def batch(self, step: int, batch_size: int) -> dict:
        self.clock.now += self.cost + self.one_off
        self.one_off = 0.0
        gen = torch.Generator().manual_seed(step)
        ids = torch.randint(0, self.vocab, (batch_size, 9), generator=gen)
        return {"input_ids": ids[:, :-1], "labels": ids[:, 1:], "domains": ["news"] * batch_size}

    def heldout(self) -> list:
        return []


def _trainer(toy_model_dir, out, *, cost, one_off=5.0, stages=None, clock=None, **cfg):
    clock = clock or FakeClock()
    tok = AutoTokenizer.from_pretrained(toy_model_dir)
    loop = LoopConfig(batch_size=2, checkpoint_every=1000, progress=False, clock=clock)
    for key, value in cfg.items():
        setattr(loop, key, value)
    return Trainer(
        kind="cpt",
        load_model=lambda: LlamaForCausalLM.from_pretrained(toy_model_dir),
        tokenizer=tok,
        data=CostlySource(clock, len(tok), cost, one_off),
        stages=stages or [StageSpec("full", 10, 1e-2, warmup_steps=2)],
        config=loop,
        out=out,
    )


def _lrs(out) -> list[float]:
    rows = (out / "metrics.jsonl").read_text("utf-8").splitlines()
    return [json.loads(r)["lr"] for r in rows]


@pytest.mark.parametrize(("cost", "expected"), [(1.0, 45), (2.0, 22), (4.0, 11)])
def test_chosen_steps_follow_the_measured_speed(toy_model_dir, tmp_path, cost, expected) -> None:
    """50 s: the first step costs 5 s more (one-off), three warm-up steps are not timed, four
    more measure the speed; the total is the seven done plus what fits in the time left,
    50 - 5 - 7 * cost."""
    summary = _trainer(toy_model_dir, tmp_path / "o", cost=cost, budget_s=50.0).run()
    assert summary.completed and summary.steps == expected
    (plan,) = summary.schedule
    assert plan["steps"] == expected and plan["seconds_per_step"] == cost
    assert plan["first_step_s"] == cost + 5.0 and plan["measured_from"] == 0
    assert summary.seconds <= 50.0
    saved = json.loads((tmp_path / "o" / "training_summary.json").read_text("utf-8"))
    assert saved["schedule"][0]["steps"] == expected and saved["budget_s"] == 50.0
    lrs = _lrs(tmp_path / "o")
    assert len(lrs) == expected
    # warm-up ramp, peak, then decay to its minimum (10 % of the peak) on the last step
    assert lrs[0] == pytest.approx(5e-3) and lrs[2] == pytest.approx(1e-2)
    assert lrs[-1] == pytest.approx(1e-3) and all(a >= b for a, b in itertools.pairwise(lrs[1:]))


def test_resume_keeps_the_fixed_step_count(toy_model_dir, tmp_path) -> None:
    whole = _trainer(toy_model_dir, tmp_path / "a", cost=2.0, budget_s=100.0).run()
    cut = _trainer(toy_model_dir, tmp_path / "b", cost=2.0, budget_s=100.0, stop_after=10).run()
    assert not cut.completed and cut.schedule[0]["steps"] == 47
    assert (tmp_path / "b" / "checkpoints" / "last.pt").is_file()
    # the resumed process is four times slower: the schedule fixed before is kept anyway
    resumed = _trainer(toy_model_dir, tmp_path / "b", cost=8.0, budget_s=100.0)
    done = resumed.run(resume=True)
    assert done.completed and done.steps == whole.steps == 47
    assert _lrs(tmp_path / "b") == pytest.approx(_lrs(tmp_path / "a"))
    _trainer(toy_model_dir, tmp_path / "b2", cost=2.0, budget_s=100.0, stop_after=5).run()
    with pytest.raises(ValueError, match="--budget"):  # another budget is another run
        _trainer(toy_model_dir, tmp_path / "b2", cost=2.0, budget_s=50.0).run(resume=True)


def test_a_budget_stopped_while_measuring_measures_again(toy_model_dir, tmp_path) -> None:
    _trainer(toy_model_dir, tmp_path / "c", cost=2.0, budget_s=100.0, stop_after=2).run()
    done = _trainer(toy_model_dir, tmp_path / "c", cost=2.0, one_off=0.0, budget_s=100.0)
    summary = done.run(resume=True)
    (plan,) = summary.schedule
    # resumed at step 2, fake time 9 s: steps 2..8 run (5..8 measure 2 s/step), fake time
    # 23 s, (100 - 23) // 2 more fit
    assert plan["measured_from"] == 2 and plan["steps"] == 9 + 38 == summary.steps


def test_a_budget_too_small_for_the_warm_up_is_refused(toy_model_dir, tmp_path) -> None:
    stages = [StageSpec("full", 10, 1e-2, warmup_steps=6)]
    trainer = _trainer(toy_model_dir, tmp_path / "d", cost=2.0, budget_s=18.0, stages=stages)
    with pytest.raises(BudgetError, match=r"budget too small: stage 'full'.* 2\.00 s/step"):
        trainer.run()
    assert not (tmp_path / "d" / "model.safetensors").exists()
    # a deadline passed while measuring refuses at once, after one step, not seven
    slow = _trainer(toy_model_dir, tmp_path / "d2", cost=30.0, budget_s=20.0, stages=stages)
    with pytest.raises(BudgetError, match=r"35\.00 s/step, which leaves room for 1 steps"):
        slow.run()
    assert slow.data.clock.now == 35.0


def test_stages_share_the_budget_by_their_steps(toy_model_dir, tmp_path) -> None:
    stages = [
        StageSpec("embeddings", 1, 1e-2, warmup_steps=1),
        StageSpec("full", 3, 1e-3, warmup_steps=1),
    ]
    run = _trainer(toy_model_dir, tmp_path / "e", cost=1.0, budget_s=80.0, stages=stages).run()
    first, second = run.schedule
    assert (first["budget_s"], first["deadline_s"]) == (20.0, 20.0)
    assert (second["budget_s"], second["deadline_s"]) == (60.0, 80.0)  # cumulative
    assert first["steps"] == 7 + (20 - 12) // 1  # the one-off 5 s is the first stage's
    assert second["steps"] == 7 + (80 - 20 - 7)
    assert run.steps == first["steps"] + second["steps"] and run.seconds <= 80.0


def test_progress_lines_in_a_log_file(toy_model_dir, tmp_path, capsys) -> None:
    """stderr is not a terminal under pytest: plain lines, never more than 30 s apart."""
    trainer = _trainer(toy_model_dir, tmp_path / "p", cost=7.0, budget_s=300.0, progress=True)
    summary = trainer.run()
    lines = [x for x in capsys.readouterr().err.splitlines() if "tok/s" in x]
    pattern = (
        r"cpt 1/1 full: step (\d+)/(\d+|\?) loss [\d.]+ [\d,]+ tok/s "
        r"elapsed (\w+) remaining (\w+|\?)"
    )
    parsed = [re.fullmatch(pattern, x) for x in lines]
    assert all(parsed), lines
    seconds = [_seconds(m.group(3)) for m in parsed]
    assert seconds[0] == 12 and all(0 < b - a <= 30 for a, b in itertools.pairwise(seconds))
    assert summary.seconds - seconds[-1] <= 30
    assert parsed[0].group(2) == "?" and parsed[-1].group(2) == str(summary.steps)


def _seconds(text: str) -> int:
    m = re.fullmatch(r"(?:(\d+)m)?(\d+)s", text)
    assert m, text
    return int(m.group(1) or 0) * 60 + int(m.group(2))


def test_durations_and_shares() -> None:
    assert [parse_duration(x) for x in ("45s", "6m", "2h", "1h30m", "90")] == [
        45.0,
        360.0,
        7200.0,
        5400.0,
        90.0,
    ]
    for bad in ("6x", "m", "30m1h", "0s", ""):
        with pytest.raises(BudgetError):
            parse_duration(bad)
    assert format_duration(95.2) == "1m35s" and format_duration(7260) == "2h01m"
    assert split_budget(600.0, [1, 2], [None, None]) == [200.0, 400.0]
    assert split_budget(600.0, [1, 2], [100.0, None]) == [100.0, 500.0]
    assert split_budget(None, [1, 2], [None, 30.0]) == [None, 30.0]
    with pytest.raises(BudgetError, match="leave nothing"):
        split_budget(60.0, [1, 1], [60.0, None])


@pytest.mark.parametrize("total", [2, 3, 5, 17, 150])
def test_schedule_reaches_its_minimum_on_the_last_step(total) -> None:
    spec = StageSpec("full", 10, 1.0, warmup_steps=1)
    factors = [lr_factor(s, spec, 0.1, total) for s in range(total)]
    assert factors[-1] == pytest.approx(0.1)
    assert all(a >= b for a, b in itertools.pairwise(factors[1:]))


def test_fused_adamw_takes_the_default_kernels_steps(toy_model_dir) -> None:
    """The loop's fused AdamW (faster on a CPU) moves the weights as the default one does."""
    from hanji.train.loop import adamw

    models = [LlamaForCausalLM.from_pretrained(toy_model_dir) for _ in range(2)]
    fused = adamw(models[0].parameters(), 1e-2, 0.01, "cpu")
    plain = torch.optim.AdamW(models[1].parameters(), lr=1e-2, weight_decay=0.01, betas=(0.9, 0.95))
    assert fused.defaults["fused"] and not plain.defaults["fused"]
    ids = torch.randint(
        0, models[0].config.vocab_size, (2, 12), generator=torch.Generator().manual_seed(0)
    )
    for _ in range(5):
        for model, opt in zip(models, (fused, plain), strict=True):
            model(input_ids=ids, labels=ids).loss.backward()
            opt.step()
            opt.zero_grad()
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert not torch.equal(
        models[0].model.norm.weight, torch.ones_like(models[0].model.norm.weight)
    )
