"""Training to a wall-time budget: durations, how a budget is shared, how many steps fit.

A budget (``[train] budget = "6m"``, ``--budget 2h``) is spent on the stages in proportion
to their ``steps`` (used as weights), unless a stage names its own ``budget``. Each stage
runs `WARMUP_STEPS` steps whose one-off costs (kernel selection, allocator growth, optimiser
state) are excluded, then `MEASURED_STEPS` steps that set the seconds per step; the total is
fixed once from the time left to the stage's deadline and never changed again (it is saved
with the checkpoint, so ``--resume`` keeps it). Deadlines are cumulative: a stage that ends
early leaves its time to the next, one that overruns takes it from the next.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

WARMUP_STEPS = 3
"""Steps at the start of a stage (or of a resumed run) whose time is not a step's cost. On
the 2-core AMD host without AMX (quickstart, fp32) the steps after the first still ran slow
(11.0, 10.3, 9.2 s, then 7-9 s): measured from the second step, 3 steps said 10.1 s/step
against a steady 8.0 and left 77 s of a 7-minute budget unused."""
MEASURED_STEPS = 4
"""Steps after those that measure seconds per step."""

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[hms])+")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


class BudgetError(ValueError):
    """A budget that cannot be used: unreadable, or too small for the stage's warm-up."""


def parse_duration(text: str | float) -> float:
    """Seconds in ``"45s"``, ``"6m"``, ``"2h"``, ``"1h30m"`` (a bare number is seconds)."""
    value = str(text).strip().lower().replace(" ", "")
    if _NUMBER.fullmatch(value):
        seconds = float(value)
    elif _DURATION.fullmatch(value):
        units = [u for _, u in _PART.findall(value)]
        if units != sorted(set(units), key="hms".index):
            raise BudgetError(f"budget '{text}': give each unit once, largest first (1h30m)")
        seconds = sum(float(n) * _UNIT[u] for n, u in _PART.findall(value))
    else:
        raise BudgetError(f"budget '{text}' is not a duration; write it as 45s, 6m, 2h or 1h30m")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise BudgetError(f"budget '{text}' must be a positive duration")
    return seconds


def format_duration(seconds: float) -> str:
    """``95.2`` -> ``"1m35s"``; ``7260`` -> ``"2h01m"``."""
    s = max(round(seconds), 0)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def split_budget(
    total: float | None, weights: list[int], own: list[float | None]
) -> list[float | None]:
    """Seconds for each stage: its ``own`` budget when it names one, else a share of what
    ``total`` leaves, in proportion to its weight; None (a fixed step count) without either."""
    if len(weights) != len(own):
        raise ValueError("one weight and one budget per stage")
    if total is None:
        return list(own)
    named = sum(b for b in own if b is not None)
    rest = [w for w, b in zip(weights, own, strict=True) if b is None]
    left = total - named
    if rest and left <= 0:
        raise BudgetError(
            f"the stages' own budgets ({format_duration(named)}) leave nothing of the total "
            f"budget ({format_duration(total)}) for the stages without one"
        )
    return [b if b is not None else left * w / sum(rest) for w, b in zip(weights, own, strict=True)]


@dataclass
class StepPlan:
    """How a budgeted stage fixed its length (stored in the summary and the checkpoint)."""

    stage: int
    budget_s: float
    deadline_s: float
    """On the run's clock (seconds since the run began, time before a resume included)."""
    steps: int | None = None
    """The total fixed after measuring; None until then."""
    seconds_per_step: float | None = None
    first_step_s: float | None = None
    """The wall time of the first step of the measurement (one-off costs included)."""
    measured_from: int | None = None
    """The stage step the measurement started at (0, or the step a run resumed at)."""


def choose_steps(
    *,
    kind: str,
    done: int,
    elapsed_s: float,
    deadline_s: float,
    seconds_per_step: float,
    warmup_steps: int,
    budget_s: float,
) -> int:
    """The stage's total steps: those done plus as many as fit before the deadline.

    Refused when that leaves no step after the warm-up: the schedule must reach its
    minimum on the last step, after a complete warm-up.
    """
    room = max(deadline_s - elapsed_s, 0.0)
    total = done + int(room // seconds_per_step)
    needed = max(warmup_steps + 1, done + 1)
    if total < needed:
        raise BudgetError(
            f"budget too small: stage '{kind}' has {format_duration(budget_s)} and runs at "
            f"{seconds_per_step:.2f} s/step, which leaves room for {total} steps; it needs at "
            f"least {needed} ({warmup_steps} warm-up steps and one more; {done} were run to "
            f"measure the speed), about {format_duration(needed * seconds_per_step)} of steps. "
            "Raise the budget or lower warmup_steps"
        )
    return total
