"""The neologism probe: does the model prefer the real word in a held-out context?

Items come from `hanji lexicon mine` (``probe.jsonl``): a sentence with the word blanked,
four options, the index of the right one. Accepted fields: ``prefix``/``suffix`` around the
blank, or a ``context`` (or ``sentence``) holding the blank ``___``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hanji.evaluate.choice import score_options
from hanji.lexicon.probe import ProbeItem
from hanji.text.io import read_jsonl


@dataclass
class ProbeResult:
    n: int = 0
    correct_raw: int = 0
    correct_norm: int = 0
    by_word: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def acc_raw(self) -> float:
        return self.correct_raw / self.n if self.n else float("nan")

    @property
    def acc_norm(self) -> float:
        return self.correct_norm / self.n if self.n else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "acc_raw": self.acc_raw,
            "acc_norm": self.acc_norm,
            "chance": 0.25 if self.n else float("nan"),
            "by_word": self.by_word,
        }


def load_probe(path: str | Path) -> list[ProbeItem]:
    """The items of a ``probe.jsonl``; a line that is not an item raises naming file:line."""
    items = []
    for lineno, rec in read_jsonl(path):
        try:
            items.append(ProbeItem.from_record(rec))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{lineno}: not a probe item ({exc!r})") from None
    return items


def run_probe(model: Any, tokenizer: Any, items: list[ProbeItem]) -> ProbeResult:
    result = ProbeResult()
    for item in items:
        scores = score_options(model, tokenizer, item.prefix, item.options, item.suffix)
        ok_raw = scores.pick_raw == item.answer
        ok_norm = scores.pick_norm == item.answer
        result.n += 1
        result.correct_raw += ok_raw
        result.correct_norm += ok_norm
        w = result.by_word.setdefault(
            item.word or item.options[item.answer], {"n": 0, "correct_norm": 0}
        )
        w["n"] += 1
        w["correct_norm"] += ok_norm
    return result
