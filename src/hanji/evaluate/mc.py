"""Multiple choice by log-likelihood: zero- and few-shot, per-task, macro and micro accuracy.

Every option is scored with `score_options` (log p(option | few-shot examples + prompt)):
``acc`` ranks by the summed log probability, ``acc_norm`` by log probability per character
(characters, not tokens, so the figure does not depend on the tokenizer). The macro average
weighs every task the same; the micro average weighs every item the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hanji.evaluate.choice import score_options
from hanji.evaluate.items import MCItem

SHOT_SEP = "\n\n"


def fewshot_examples(
    item_index: int, items: list[MCItem], pool: list[MCItem] | None, k: int, seed: int
) -> list[MCItem]:
    """``k`` solved examples for item ``item_index``: from ``pool`` (a separate split) when
    there is one, else from the other items of the task; seeded per item, so runs repeat."""
    if k <= 0:
        return []
    rng = random.Random(f"{seed}:{items[item_index].task}:{item_index}")
    if pool:
        candidates = pool
    else:
        candidates = [it for j, it in enumerate(items) if j != item_index]
    return rng.sample(candidates, min(k, len(candidates)))


def fewshot_prefix(shots: list[MCItem]) -> str:
    return "".join(s.demo() + SHOT_SEP for s in shots)


@dataclass
class TaskResult:
    name: str
    format: str = ""
    source: str = ""
    k: int = 0
    n: int = 0
    correct: int = 0
    correct_norm: int = 0
    chance: float = 0.0
    by_subject: dict[str, dict[str, int]] = field(default_factory=dict)
    picks: list[dict[str, int]] = field(default_factory=list)

    @property
    def acc(self) -> float:
        return self.correct / self.n if self.n else float("nan")

    @property
    def acc_norm(self) -> float:
        return self.correct_norm / self.n if self.n else float("nan")

    def add(self, item: MCItem, pick: int, pick_norm: int) -> None:
        self.n += 1
        self.correct += pick == item.answer
        self.correct_norm += pick_norm == item.answer
        self.chance += (1 / len(item.options) - self.chance) / self.n  # running mean
        self.picks.append({"answer": item.answer, "pick": pick, "pick_norm": pick_norm})
        if item.subject:
            s = self.by_subject.setdefault(item.subject, {"n": 0, "correct": 0})
            s["n"] += 1
            s["correct"] += pick == item.answer

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "k": self.k,
            "n": self.n,
            "acc": self.acc,
            "acc_norm": self.acc_norm,
            "chance": self.chance,
            "by_subject": self.by_subject,
        }


def run_task(
    model: Any,
    tokenizer: Any,
    items: list[MCItem],
    *,
    name: str = "",
    pool: list[MCItem] | None = None,
    k: int = 0,
    seed: int = 0,
    source: str = "",
    progress: Callable[[], None] | None = None,
) -> TaskResult:
    model.eval()
    result = TaskResult(
        name or (items[0].task if items else ""),
        format=items[0].format if items else "",
        source=source,
        k=k,
    )
    for i, item in enumerate(items):
        prefix = fewshot_prefix(fewshot_examples(i, items, pool, k, seed))
        scores = score_options(model, tokenizer, prefix + item.prompt, item.options)
        result.add(item, scores.pick_raw, scores.pick_norm)
        if progress is not None:
            progress()
    return result


def summarize(results: list[TaskResult]) -> dict[str, Any]:
    """Per-task figures plus the macro (mean over tasks) and micro (over items) averages."""
    done = [r for r in results if r.n]
    n = sum(r.n for r in done)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    return {
        "per_task": {r.name: r.as_dict() for r in results},
        "macro": {
            "acc": mean([r.acc for r in done]),
            "acc_norm": mean([r.acc_norm for r in done]),
            "chance": mean([r.chance for r in done]),
        },
        "micro": {
            "acc": sum(r.correct for r in done) / n if n else float("nan"),
            "acc_norm": sum(r.correct_norm for r in done) / n if n else float("nan"),
            "chance": sum(r.chance * r.n for r in done) / n if n else float("nan"),
        },
        "n": n,
        "tasks": len(done),
    }
