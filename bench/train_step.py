"""What makes a CPU training step cheaper: each option against its baseline, in one run.

    .venv/bin/python bench/train_step.py [--reps 6] [--skip-compile]

1. The AdamW update over the embedded SmolLM2-135M's parameters (gradients filled once):
   the per-tensor loop (``foreach=False``), the default multi-tensor ``foreach``, and
   ``fused=True``; seconds per update.
2. On a small Llama of SmolLM2's width (4 layers, hidden 576, 8k vocabulary): a full
   forward + backward + AdamW step, eager against ``torch.compile`` (the first compiled
   step, compilation included, reported apart: the steps it takes to pay for itself), and
   batch x length at equal tokens (4 x 256, 2 x 512, 8 x 128).
3. The LM head over the quickstart's extended vocabulary (49,152 + 4,000 = 53,152 rows) at
   1,024 positions, forward + cross-entropy + backward, against the same head padded to a
   multiple of 256 rows (53,248; the padding rows' logits masked out of the loss).

Every option runs interleaved with its baseline (A B A B ...), two untimed rounds first;
medians are printed with the ratio against the baseline. The precision is hanji's
(`pick_precision`: bf16 autocast on an AMX CPU, fp32 elsewhere). Prints the CPU flags.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import time
from collections.abc import Callable

import torch


def _flags() -> str:
    try:
        out = subprocess.run(
            ["grep", "-o", "-m1", "-E", "amx_tile|avx512_bf16", "/proc/cpuinfo"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
    except OSError:
        return "unknown"
    return ", ".join(sorted(set(out))) or "no amx_tile, no avx512_bf16"


def interleaved(options: dict[str, Callable[[], None]], reps: int) -> dict[str, float]:
    """Median seconds per call of each option, calls interleaved, two untimed rounds first."""
    times: dict[str, list[float]] = {k: [] for k in options}
    for round_ in range(reps + 2):
        for name, fn in options.items():
            t = time.perf_counter()
            fn()
            if round_ >= 2:
                times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def report(title: str, medians: dict[str, float], baseline: str) -> None:
    print(f"\n{title}")
    base = medians[baseline]
    for name, sec in medians.items():
        print(f"  {name:<28} {sec:8.3f} s   x{base / sec:.2f} vs {baseline}")


def adamw(reps: int) -> None:
    from hanji.modeling import load_model

    model = load_model("smollm2-135m", dtype="float32")
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    n = sum(p.numel() for p in params)
    options = {}
    for name, kw in (
        ("for-loop (foreach=False)", {"foreach": False}),
        ("foreach (default)", {"foreach": True}),
        ("fused", {"fused": True}),
    ):
        opt = torch.optim.AdamW(params, lr=1e-6, betas=(0.9, 0.95), **kw)
        options[name] = opt.step
    report(
        f"AdamW update, {n / 1e6:.0f} M parameters", interleaved(options, reps), "foreach (default)"
    )


def small_llama(reps: int, compile_: bool) -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    from hanji.modeling.load import pick_precision

    bf16 = pick_precision("auto") == "bf16"
    cfg = LlamaConfig(
        vocab_size=8192,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=4,
        num_attention_heads=9,
        num_key_value_heads=3,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)

    def stepper(model: torch.nn.Module, batch: int, length: int) -> Callable[[], None]:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
        ids = torch.randint(0, cfg.vocab_size, (batch, length))

        def step() -> None:
            ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
            with ctx:
                logits = model(input_ids=ids).logits
            loss = torch.nn.functional.cross_entropy(
                logits.float()[:, :-1].reshape(-1, cfg.vocab_size), ids[:, 1:].reshape(-1)
            )
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        return step

    print(f"\nsmall Llama (4 x 576, vocab 8192), {'bf16 autocast' if bf16 else 'fp32'}")
    shapes = {"4 x 256 (baseline)": (4, 256), "2 x 512": (2, 512), "8 x 128": (8, 128)}
    options = {name: stepper(LlamaForCausalLM(cfg), b, t) for name, (b, t) in shapes.items()}
    report(
        "batch x length at 1,024 tokens a step", interleaved(options, reps), "4 x 256 (baseline)"
    )
    if not compile_:
        return
    eager = stepper(LlamaForCausalLM(cfg), 4, 256)
    compiled_model = torch.compile(LlamaForCausalLM(cfg))
    compiled = stepper(compiled_model, 4, 256)
    t = time.perf_counter()
    compiled()
    first = time.perf_counter() - t
    medians = interleaved({"eager": eager, "torch.compile": compiled}, reps)
    report("eager vs torch.compile (4 x 256)", medians, "eager")
    saved = medians["eager"] - medians["torch.compile"]
    pays = f"{(first - medians['torch.compile']) / saved:.0f} steps" if saved > 0 else "never"
    print(f"  first compiled step (compilation) {first:.1f} s; pays for itself after {pays}")


def lm_head(reps: int) -> None:
    from hanji.modeling.load import pick_precision

    bf16 = pick_precision("auto") == "bf16"
    torch.manual_seed(0)
    hidden = torch.randn(1024, 576)
    targets = torch.randint(0, 53_152, (1024,))

    def stepper(rows: int) -> Callable[[], None]:
        weight = torch.nn.Parameter(torch.randn(rows, 576) * 0.02)
        h = hidden.clone().requires_grad_(True)

        def step() -> None:
            ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
            with ctx:
                logits = h @ weight.t()
            logits = logits.float()[:, :53_152]  # padding rows never win
            torch.nn.functional.cross_entropy(logits, targets).backward()
            weight.grad = h.grad = None

        return step

    print(f"\nLM head 1,024 x 576 -> vocabulary, {'bf16 autocast' if bf16 else 'fp32'}")
    medians = interleaved({"53,152 rows": stepper(53_152), "53,248 rows": stepper(53_248)}, reps)
    report("LM head forward + loss + backward", medians, "53,152 rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--skip-compile", action="store_true")
    ap.add_argument("--skip-adamw", action="store_true")
    args = ap.parse_args()
    print(f"CPU flags: {_flags()}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    if not args.skip_adamw:
        adamw(args.reps)
    lm_head(args.reps)
    small_llama(args.reps, not args.skip_compile)


if __name__ == "__main__":
    main()
