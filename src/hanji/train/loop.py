"""One training loop for every stage of continued pre-training and for SFT.

The loop owns the optimiser, the schedule, gradient accumulation and clipping,
checkpoints, resume, metrics and progress; a batch source only turns a step number into
token ids and labels. It runs under ``accelerate launch`` unchanged (one process on a CPU,
bf16 autocast on a GPU, DDP/FSDP through the accelerate configs in ``configs/accelerate``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from hanji.modeling.load import check_precision, pick_precision
from hanji.train.budget import (
    MEASURED_STEPS,
    WARMUP_STEPS,
    BudgetError,
    StepPlan,
    choose_steps,
    format_duration,
    split_budget,
)
from hanji.train.trainable import finish_stage, param_groups, prepare_stage, trainable

CHECKPOINT = "checkpoints/last.pt"
SUMMARY = "training_summary.json"
METRICS = "metrics.jsonl"


class BatchSource(Protocol):
    def batch(self, step: int, batch_size: int) -> dict[str, Any]:
        """``{"input_ids": LongTensor[B, T], "labels": LongTensor[B, T], "domains": [...]}``;
        labels are already aligned with the positions that predict them (-100 = ignored)."""

    def heldout(self) -> list[dict[str, Any]]: ...


@dataclass
class StageSpec:
    kind: str
    steps: int
    lr: float
    warmup_steps: int = 0
    schedule: str = "cosine"
    lora_r: int = 16
    lora_alpha: int = 32
    embedding_lr_scale: float = 1.0
    """The embedding matrices train at this multiple of ``lr`` (see `param_groups`)."""
    budget_s: float | None = None
    """Wall seconds for this stage; its ``steps`` are then fixed from the measured speed."""

    def __post_init__(self) -> None:
        if self.budget_s is not None and not self.budget_s > 0:
            raise ValueError(f"stage '{self.kind}': budget must be > 0, got {self.budget_s}")
        if not self.embedding_lr_scale > 0:
            scale = self.embedding_lr_scale
            raise ValueError(f"stage '{self.kind}': embedding_lr_scale must be > 0, got {scale}")
        if self.steps < 1:
            raise ValueError(f"stage '{self.kind}': steps must be >= 1, got {self.steps}")
        if not self.lr > 0:
            raise ValueError(f"stage '{self.kind}': lr must be > 0, got {self.lr}")
        if self.schedule not in ("cosine", "linear", "constant"):
            raise ValueError(f"stage '{self.kind}': schedule must be cosine, linear or constant")


@dataclass
class LoopConfig:
    batch_size: int = 4
    grad_accum: int = 1
    seed: int = 0
    clip_grad: float = 1.0
    weight_decay: float = 0.0
    checkpoint_every: int = 50
    eval_every: int = 0
    """Evaluate held-out loss every N steps (0: at the end of each stage only)."""
    stop_after: int | None = None
    progress: bool = True
    min_lr_ratio: float = 0.1
    precision: str = "auto"
    """``fp32``, ``bf16`` (autocast, fp32 master weights) or ``auto``: see `pick_precision`."""
    budget_s: float | None = None
    """Wall seconds for the whole run, shared by the stages in proportion to their ``steps``
    (a stage with its own ``budget_s`` keeps it); see `hanji.train.budget`."""
    progress_every: float = 30.0
    """Seconds between plain progress lines when stderr is not a terminal (a log file)."""
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False, compare=False)
    """The wall clock the budget and the progress lines read (tests inject a fake one)."""

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if self.budget_s is not None and not self.budget_s > 0:
            raise ValueError(f"--budget must be > 0 seconds, got {self.budget_s}")
        for name in ("batch_size", "grad_accum", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 1")
        if self.stop_after is not None and self.stop_after < 1:
            raise ValueError("--stop-after must be >= 1")


@dataclass
class Summary:
    kind: str
    stages: list[dict[str, Any]] = field(default_factory=list)
    steps: int = 0
    tokens_seen: int = 0
    tokens_by_domain: dict[str, int] = field(default_factory=dict)
    losses: list[dict[str, float]] = field(default_factory=list)
    eval_losses: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    device: str = "cpu"
    dtype: str = "float32"
    completed: bool = False
    budget_s: float | None = None
    """The run's budget, when it had one."""
    schedule: list[dict[str, Any]] = field(default_factory=list)
    """Per budgeted stage, how its length was fixed (`StepPlan`): kept by ``--resume``."""


def lr_factor(step: int, spec: StageSpec, min_ratio: float, total: int | None = None) -> float:
    """Linear warm-up, then cosine (or linear) decay from the peak to ``min_ratio`` of it,
    reached exactly on the last of ``total`` steps (``spec.steps`` unless given)."""
    if spec.warmup_steps and step < spec.warmup_steps:
        return (step + 1) / spec.warmup_steps
    if spec.schedule == "constant":
        return 1.0
    last = (total if total is not None else spec.steps) - 1
    span = last - spec.warmup_steps
    if span <= 0:
        return min_ratio
    progress = min((step - spec.warmup_steps) / span, 1.0)
    decay = 0.5 * (1 + math.cos(math.pi * progress)) if spec.schedule == "cosine" else 1 - progress
    return min_ratio + (1 - min_ratio) * decay


def adamw(groups: Any, lr: float, weight_decay: float, device: str) -> torch.optim.AdamW:
    """AdamW with the fused kernel on a CPU or a CUDA GPU: the same update in one pass over
    each tensor. On 2 shared CPU cores the update of SmolLM2-135M's parameters took 2.8 s
    fused against 14.0 s with the default multi-tensor kernel (`bench/train_step.py`)."""
    fused = {"fused": True} if device in ("cpu", "cuda") else {}
    return torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay, betas=(0.9, 0.95), **fused)


def causal_loss(
    model: Any, input_ids: torch.Tensor, labels: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    logits = model(input_ids=input_ids).logits
    return torch.nn.functional.cross_entropy(
        logits.float().reshape(-1, logits.shape[-1]),
        labels.reshape(-1),
        ignore_index=-100,
        reduction=reduction,
    )


def _atomic_save(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


class Trainer:
    """Runs ``stages`` over ``data`` on a model loaded by ``load_model``; writes ``out``."""

    def __init__(
        self,
        *,
        kind: str,
        load_model: Callable[[], Any],
        tokenizer: Any,
        data: BatchSource,
        stages: list[StageSpec],
        config: LoopConfig,
        out: str | Path,
        first_new_row: int | None = None,
        extra_files: dict[str, Path] | None = None,
    ) -> None:
        if not stages:
            raise ValueError("no training stages")
        self.kind = kind
        self.load_model = load_model
        self.tokenizer = tokenizer
        self.data = data
        self.stages = stages
        self.cfg = config
        self.out = Path(out)
        self.first_new_row = first_new_row
        self.extra_files = extra_files or {}

    # -- checkpoints -------------------------------------------------------------------
    def _checkpoint(self, model, optimizer, stage_i, stage_step, summary) -> None:
        """Mid-stage: wrapped model + optimiser; between stages (step 0): plain model only."""
        state = {
            "stage": stage_i,
            "stage_step": stage_step,
            "model": self.accel.get_state_dict(model),
            "optimizer": optimizer.state_dict() if optimizer is not None else None,
            "summary": asdict(summary),
            "stages": [asdict(s) for s in self.stages],
            "loop": self._identity(),
        }
        if self.accel.is_main_process:
            _atomic_save(state, self.out / CHECKPOINT)

    def _load_checkpoint(self) -> dict[str, Any] | None:
        path = self.out / CHECKPOINT
        if not path.is_file():
            return None
        state = torch.load(path, map_location="cpu", weights_only=False)
        saved = state.get("stages")
        if saved != [asdict(s) for s in self.stages]:
            raise ValueError(
                f"{path} was written with other stages ({saved}); resume with the same "
                "stages/steps/lr, or start over in a new --out dir"
            )
        if state.get("loop", self._identity()) != self._identity():
            raise ValueError(
                f"{path} was written with other settings ({state.get('loop')}); resume with "
                "the same --batch-size/--grad-accum/--seed/--budget, or start over in a new "
                "--out dir"
            )
        return state

    def _identity(self) -> dict[str, Any]:
        """Settings that decide which batches each step sees (with the stages)."""
        return {
            "batch_size": self.cfg.batch_size,
            "grad_accum": self.cfg.grad_accum,
            "seed": self.cfg.seed,
            "budget_s": self.cfg.budget_s,
        }

    # -- the loop ----------------------------------------------------------------------
    def run(self, *, resume: bool = False) -> Summary:
        from accelerate import Accelerator

        use_cuda = torch.cuda.is_available()
        bf16 = pick_precision(self.cfg.precision) == "bf16"
        # On a CPU, hanji autocasts itself: accelerate fixes mixed precision once per process
        # (its state is global), and a build or a test may train at both precisions.
        self.accel = Accelerator(
            mixed_precision="bf16" if bf16 and use_cuda else "no", cpu=not use_cuda
        )
        self._cpu_bf16 = bf16 and not use_cuda
        torch.manual_seed(self.cfg.seed)
        clock = self.cfg.clock
        allotted = split_budget(
            self.cfg.budget_s, [s.steps for s in self.stages], [s.budget_s for s in self.stages]
        )

        done = self.out / SUMMARY
        if resume and done.is_file() and json.loads(done.read_text("utf-8")).get("completed"):
            return Summary(**json.loads(done.read_text("utf-8")))
        if not resume and (self.out / CHECKPOINT).exists():
            raise ValueError(
                f"{self.out} holds a checkpoint from an earlier run: pass --resume to continue "
                "it, or choose another --out dir"
            )
        state = self._load_checkpoint() if resume else None
        summary = Summary(
            kind=self.kind,
            device=self.accel.device.type,
            dtype="bfloat16" if bf16 else "float32",
            budget_s=self.cfg.budget_s,
        )
        start_stage, start_step = 0, 0
        if state is not None:
            summary = Summary(**state["summary"])
            start_stage, start_step = state["stage"], state["stage_step"]
        # The run's clock: seconds since the run began, the time before a resume included.
        t0 = clock() - summary.seconds
        plans = {p["stage"]: StepPlan(**p) for p in summary.schedule}

        model = self.load_model()
        if state is not None and start_step == 0:
            model.load_state_dict(state["model"])  # a between-stages checkpoint: plain weights
        model.train()
        self.out.mkdir(parents=True, exist_ok=True)
        metrics_path = self.out / METRICS
        if state is None and metrics_path.exists():
            metrics_path.unlink()
        tb = _tensorboard(self.out) if self.accel.is_main_process else None
        tokens_by_domain = Counter(summary.tokens_by_domain)

        for stage_i in range(start_stage, len(self.stages)):
            spec = self.stages[stage_i]
            plan = plans.get(stage_i)
            if plan is None and allotted[stage_i] is not None:
                plan = self._new_plan(stage_i, allotted[stage_i], plans, clock() - t0)
                plans[stage_i] = plan
                summary.schedule.append(asdict(plan))
            torch.manual_seed(self.cfg.seed + stage_i)  # LoRA init: same with or without resume
            model, handles = prepare_stage(
                model,
                spec.kind,
                first_new_row=self.first_new_row,
                lora_r=spec.lora_r,
                lora_alpha=spec.lora_alpha,
            )
            params = trainable(model)
            # no decay while only new rows train: decay would move the masked old rows
            decay = 0.0 if spec.kind == "new_embeddings" else self.cfg.weight_decay
            groups = param_groups(model, spec.embedding_lr_scale)
            optimizer = adamw(groups, spec.lr, decay, self.accel.device.type)
            first = start_step if stage_i == start_stage else 0
            if state is not None and first > 0:
                model.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
            model, optimizer = self.accel.prepare(model, optimizer)
            # None while a budgeted stage is still measuring its speed
            self._total = spec.steps if plan is None else plan.steps
            title = f"{self.kind} {stage_i + 1}/{len(self.stages)} {spec.kind}"
            bar = _progress(
                self.cfg.progress and self.accel.is_main_process,
                title,
                self._total,
                first,
                clock=clock,
                t0=t0,
                every=self.cfg.progress_every,
            )
            times: list[float] = []
            with bar as advance:
                step = first
                while self._total is None or step < self._total:
                    t_step = clock()
                    row = self._step(
                        model, optimizer, params, spec, stage_i, step, summary, tokens_by_domain, t0
                    )
                    times.append(clock() - t_step)
                    step += 1
                    measured = len(times) == WARMUP_STEPS + MEASURED_STEPS
                    late = plan is not None and clock() - t0 >= plan.deadline_s
                    if self._total is None and (measured or late):
                        # fixed once: after the measurement, or as soon as the deadline has
                        # passed (then too small a budget is refused without waiting)
                        self._fix_steps(plan, spec, summary, first, step, times, clock() - t0)
                        bar.set_total(self._total)
                    if self.accel.is_main_process:
                        with metrics_path.open("a", encoding="utf-8") as fh:
                            fh.write(json.dumps(row) + "\n")
                        if tb is not None:
                            tb.add_scalar("train/loss", row["loss"], summary.steps)
                            tb.add_scalar("train/lr", row["lr"], summary.steps)
                    advance(loss=row["loss"], lr=row["lr"], tps=row["tokens_per_s"])
                    if self.cfg.eval_every and summary.steps % self.cfg.eval_every == 0:
                        summary.eval_losses.append(self._eval(model, summary.steps))
                    summary.seconds = clock() - t0
                    stop = self.cfg.stop_after is not None and summary.steps >= self.cfg.stop_after
                    last = step == self._total
                    if not last and (stop or summary.steps % self.cfg.checkpoint_every == 0):
                        self._checkpoint(model, optimizer, stage_i, step, summary)
                    if stop and not last:
                        return summary
            model = self.accel.unwrap_model(model)
            summary.eval_losses.append(self._eval(model, summary.steps))
            if tb is not None:
                tb.add_scalar("eval/loss", summary.eval_losses[-1]["loss"], summary.steps)
            record = {**asdict(spec), "ended_at_step": summary.steps, "ran_steps": self._total}
            summary.stages.append(record)
            model = finish_stage(model, handles)
            summary.seconds = clock() - t0
            self._checkpoint(model, None, stage_i + 1, 0, summary)
            state = None
            if self.cfg.stop_after is not None and summary.steps >= self.cfg.stop_after:
                if stage_i + 1 < len(self.stages):
                    return summary

        summary.seconds = clock() - t0
        summary.completed = True
        if self.accel.is_main_process:
            self._save_final(model, summary)
        return summary

    def _new_plan(
        self, stage_i: int, budget_s: float, plans: dict[int, StepPlan], now: float
    ) -> StepPlan:
        """A budgeted stage's deadline: after the previous budgeted stage's (cumulative), or
        counted from the run's start (the first stage: loading the model counts) or now."""
        before = plans.get(stage_i - 1)
        start = before.deadline_s if before is not None else (0.0 if stage_i == 0 else now)
        plan = StepPlan(stage=stage_i, budget_s=budget_s, deadline_s=start + budget_s)
        if plan.deadline_s - now <= 0:
            kind = self.stages[stage_i].kind
            raise BudgetError(
                f"budget too small: stage '{kind}' was given {format_duration(budget_s)}, all "
                f"spent before it began ({format_duration(now)} into the run); raise the budget"
            )
        return plan

    def _fix_steps(self, plan, spec, summary, first, step, times, now) -> None:
        """Fix a budgeted stage's total from the measured seconds per step, once; under
        several processes from the main one's measurement, so all stop at the same step."""
        timed = times[WARMUP_STEPS:] or times
        per_step = sum(timed) / len(timed)
        if self.accel.num_processes > 1:  # every process takes the main one's figures
            from accelerate.utils import broadcast_object_list

            per_step, now = broadcast_object_list([per_step, now])
        total = choose_steps(
            kind=spec.kind,
            done=step,
            elapsed_s=now,
            deadline_s=plan.deadline_s,
            seconds_per_step=per_step,
            warmup_steps=spec.warmup_steps,
            budget_s=plan.budget_s,
        )
        plan.steps, plan.seconds_per_step = total, round(per_step, 4)
        plan.first_step_s, plan.measured_from = round(times[0], 4), first
        summary.schedule = [
            asdict(plan) if p["stage"] == plan.stage else p for p in summary.schedule
        ]
        self._total = total

    def _lr_factor(self, step: int, spec: StageSpec) -> float:
        if self._total is None:  # still measuring: the warm-up ramp, or the peak after it
            return lr_factor(step, spec, self.cfg.min_lr_ratio) if step < spec.warmup_steps else 1.0
        return lr_factor(step, spec, self.cfg.min_lr_ratio, self._total)

    def _autocast(self) -> Any:
        if self._cpu_bf16:
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return self.accel.autocast()

    def _step(self, model, optimizer, params, spec, stage_i, step, summary, by_domain, t0):
        lr = spec.lr * self._lr_factor(step, spec)
        for group in optimizer.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        t_step = self.cfg.clock()
        loss_sum = torch.zeros((), dtype=torch.float64, device=self.accel.device)
        n_tok = 0
        for micro in range(self.cfg.grad_accum):
            # the global micro-batch is a pure function of (seed, step, batch size), whatever
            # the number of processes; each process trains its slice of the rows
            batch = self.data.batch(
                summary.steps * self.cfg.grad_accum + micro, self.cfg.batch_size
            )
            ids, labels, n_learn = self._shard(batch)
            with self._autocast():
                # summed over this process's tokens and divided by the whole micro-batch's
                # count, times the world size: the averaging of gradients across processes
                # (DDP/FSDP) then gives exactly the global token mean of one process
                total = causal_loss(model, ids, labels, reduction="sum")
            share = total / max(n_learn, 1)
            self.accel.backward(share * (self.accel.num_processes / self.cfg.grad_accum))
            loss_sum += share.detach().double() / self.cfg.grad_accum
            n_tok += int(batch["input_ids"].numel())
            for domain in batch.get("domains", []):
                by_domain[domain] += int(batch["input_ids"].shape[1])
        if self.accel.num_processes > 1:
            loss_sum = self.accel.reduce(loss_sum, reduction="sum")
        grad_norm = self.accel.clip_grad_norm_(params, self.cfg.clip_grad)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss = round(float(loss_sum), 5)
        summary.steps += 1
        summary.tokens_seen += n_tok
        summary.tokens_by_domain = dict(by_domain)
        summary.losses.append({"step": summary.steps, "loss": loss})
        dt = max(self.cfg.clock() - t_step, 1e-9)
        return {
            "step": summary.steps,
            "stage": stage_i,
            "kind": spec.kind,
            "loss": loss,
            "lr": lr,
            "grad_norm": float(grad_norm),
            "tokens": summary.tokens_seen,
            "tokens_per_s": round(n_tok / dt, 1),
            "elapsed": round(self.cfg.clock() - t0, 2),
            "processes": self.accel.num_processes,
        }

    def _shard(self, batch: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor, int]:
        """This process's rows of a global batch, and the global count of learned tokens."""
        world, rank = self.accel.num_processes, self.accel.process_index
        rows = batch["input_ids"].shape[0]
        if rows % world:
            raise ValueError(
                f"--batch-size {rows} (the global batch) must be a multiple of the "
                f"{world} processes"
            )
        part = slice(rank * rows // world, (rank + 1) * rows // world)
        n_learn = int((batch["labels"] != -100).sum())
        ids = batch["input_ids"][part].to(self.accel.device)
        return ids, batch["labels"][part].to(self.accel.device), n_learn

    @torch.no_grad()
    def _eval(self, model: Any, step: int) -> dict[str, float]:
        held = self.data.heldout()
        if not held:
            return {"step": step, "loss": float("nan")}
        model.eval()
        total, n = 0.0, 0
        for batch in held:
            ids = batch["input_ids"].to(self.accel.device)
            labels = batch["labels"].to(self.accel.device)
            with self._autocast():
                loss = causal_loss(model, ids, labels)
            count = int((labels != -100).sum())
            total += loss.item() * count
            n += count
        model.train()
        return {"step": step, "loss": total / max(n, 1)}

    def _save_final(self, model: Any, summary: Summary) -> None:
        from hanji.modeling import save_model

        model.config.use_cache = True
        save_model(model, self.tokenizer, self.out)
        for name, src in self.extra_files.items():
            if src.is_file():
                shutil.copyfile(src, self.out / name)
        (self.out / SUMMARY).write_text(json.dumps(asdict(summary), indent=1), "utf-8")
        ckpt = self.out / CHECKPOINT
        if ckpt.exists():
            shutil.rmtree(ckpt.parent)


def _tensorboard(out: Path) -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # optional: TensorBoard is not a dependency
        return None
    return SummaryWriter(log_dir=str(out / "tensorboard"))


class _progress:
    """Progress of one stage: a rich bar on a terminal; elsewhere (a log file, a pipe) a
    plain line with step, loss, tokens/s, elapsed and remaining time, at least every
    ``every`` seconds while steps keep coming; nothing when disabled."""

    def __init__(
        self,
        enabled: bool,
        title: str,
        total: int | None,
        completed: int,
        *,
        clock: Callable[[], float] = time.perf_counter,
        t0: float | None = None,
        every: float = 30.0,
        stream: Any = None,
    ) -> None:
        self.enabled, self.title, self.total, self.completed = enabled, title, total, completed
        self.clock, self.every = clock, every
        self.t0 = clock() if t0 is None else t0
        self.stream = stream if stream is not None else sys.stderr
        self.progress: Any = None

    def __enter__(self) -> _progress:
        if not self.enabled:
            return self
        self.started = self.last_line = self.last_step = self.clock()
        self.done_here, self.printed = 0, self.completed
        if not _is_terminal(self.stream):
            return self
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "loss {task.fields[loss]:.4f} lr {task.fields[lr]:.2e} {task.fields[tps]:.0f} tok/s"
            ),
            TimeRemainingColumn(),
        )
        self.progress.start()
        self.task = self.progress.add_task(
            self.title,
            total=self.total,
            completed=self.completed,
            loss=float("nan"),
            lr=0.0,
            tps=0.0,
        )
        return self

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self.progress is not None:
            self.progress.update(self.task, total=total)

    def __call__(self, *, loss: float, lr: float, tps: float) -> None:
        if not self.enabled:
            return
        self.completed += 1
        if self.progress is not None:
            self.progress.update(self.task, advance=1, loss=loss, lr=lr, tps=tps)
            return
        now = self.clock()
        self.done_here += 1
        last_dt, self.last_step = now - self.last_step, now
        self.fields = (loss, tps)
        # print before the next step would push the gap past `every`
        if self.done_here > 1 and now - self.last_line + last_dt < self.every:
            return
        self._line(now)

    def _line(self, now: float) -> None:
        loss, tps = self.fields
        self.last_line, self.printed = now, self.completed
        if self.total is None:
            of, remaining = "?", "?"
        else:
            of = str(self.total)
            per_step = (now - self.started) / self.done_here
            remaining = format_duration(max(self.total - self.completed, 0) * per_step)
        print(
            f"{self.title}: step {self.completed}/{of} loss {loss:.4f} {tps:,.0f} tok/s "
            f"elapsed {format_duration(now - self.t0)} remaining {remaining}",
            file=self.stream,
            flush=True,
        )

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
        elif (
            self.enabled and exc_type is None and self.done_here and self.printed != self.completed
        ):
            self._line(self.clock())  # the stage's last step, so a log shows where it ended


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
