from pathlib import Path

import pytest

from hanji.evaluate.choice import continuation_logprob
from hanji.evaluate.items import MCItem
from hanji.evaluate.mc import (
    TaskResult,
    fewshot_examples,
    fewshot_prefix,
    run_task,
    summarize,
)
from hanji.evaluate.sources import TaskSpec, load_task

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "eval"


def _argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def test_scoring_picks_the_highest_likelihood_option(toy) -> None:
    model, tok = toy
    items = load_task(TaskSpec(path=SAMPLE / "kobest_copa.jsonl")).items[:4]
    result = run_task(model, tok, items)
    for item, pick in zip(items, result.picks, strict=True):
        lps = [continuation_logprob(model, tok, item.prompt, o) for o in item.options]
        assert pick["pick"] == _argmax(lps)
        per_char = [lp / len(o) for lp, o in zip(lps, item.options, strict=True)]
        assert pick["pick_norm"] == _argmax(per_char)
    expected = sum(p["pick"] == it.answer for p, it in zip(result.picks, items, strict=True))
    assert result.correct == expected and result.acc == expected / 4


def test_accuracy_counts_only_the_items_the_model_gets_right(toy) -> None:
    # Same question, gold set to the model's own pick or away from it: accuracy is exact.
    model, tok = toy
    options = [" 사람들이 조심조심 걸었다.", " 사람들이 반팔 옷을 입었다.", " 눈사람이 웃었다."]
    probe = MCItem("길이 꽁꽁 얼었다. 그래서", options, 0, task="t")
    pick = run_task(model, tok, [probe]).picks[0]["pick"]
    items = [
        MCItem(probe.prompt, options, pick, task="t"),
        MCItem(probe.prompt, options, (pick + 1) % 3, task="t"),
        MCItem(probe.prompt, options, (pick + 2) % 3, task="t"),
    ]
    result = run_task(model, tok, items, name="t")
    assert (result.n, result.correct) == (3, 1)
    assert result.acc == pytest.approx(1 / 3) and result.chance == pytest.approx(1 / 3)


def test_macro_and_micro_averages() -> None:
    small, big = TaskResult("small"), TaskResult("big")
    two = ["가", "나"]
    small.add(MCItem("?", two, 0), pick=0, pick_norm=1)  # 1/1 right (raw), 0/1 (norm)
    for answer, pick in ((0, 0), (0, 1), (1, 0), (1, 0)):  # 1/4 right
        big.add(MCItem("?", two, answer), pick=pick, pick_norm=answer)
    s = summarize([small, big])
    assert s["per_task"]["small"]["acc"] == 1.0 and s["per_task"]["big"]["acc"] == 0.25
    assert s["macro"]["acc"] == pytest.approx((1.0 + 0.25) / 2)
    assert s["micro"]["acc"] == pytest.approx(2 / 5)
    assert s["macro"]["acc_norm"] == pytest.approx((0.0 + 1.0) / 2)
    assert s["micro"]["acc_norm"] == pytest.approx(4 / 5)
    assert s["n"] == 5 and s["micro"]["chance"] == pytest.approx(0.5)


def test_few_shot_examples_are_seeded_and_never_the_item_itself() -> None:
    items = [MCItem(f"문제 {i}:", [" 예", " 아니오"], i % 2, task="t") for i in range(6)]
    shots = fewshot_examples(2, items, None, 3, seed=0)
    assert len(shots) == 3 and items[2] not in shots
    assert shots == fewshot_examples(2, items, None, 3, seed=0)
    pool = [MCItem("예시:", [" 예", " 아니오"], 0, task="t")]
    assert fewshot_examples(0, items, pool, 5, seed=0) == pool  # k larger than the pool
    assert fewshot_prefix(pool) == "예시: 예\n\n"


def test_few_shot_prompt_is_what_gets_scored(toy, monkeypatch) -> None:
    model, tok = toy
    seen: list[str] = []

    def fake_score(model, tok, prefix, options, suffix=""):
        from hanji.evaluate.choice import OptionScores

        seen.append(prefix)
        return OptionScores([0.0] * len(options), [0.0] * len(options))

    monkeypatch.setattr("hanji.evaluate.mc.score_options", fake_score)
    task = load_task(TaskSpec(path=SAMPLE / "kobest_boolq.jsonl", limit=2), k=2)
    run_task(model, tok, task.items, pool=task.pool, k=2, seed=7)
    assert len(seen) == 2
    for prefix, item in zip(seen, task.items, strict=True):
        head, _, tail = prefix.rpartition("\n\n")
        assert tail == item.prompt and head.count("\n답변: ") == 2  # two solved examples
        assert any(ex.prompt in head for ex in task.pool)
