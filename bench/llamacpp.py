"""Generation speed of a built model: llama.cpp (f16, q8_0, q4_k_m GGUF) vs transformers.

    .venv/bin/python bench/llamacpp.py runs/quickstart/model            # exports, then times
    .venv/bin/python bench/llamacpp.py runs/quickstart/model --tokens 64 --prompts 5

Each engine runs behind the backend `hanji serve` uses for it (`LocalBackend` for the model
dir, `LlamaCppBackend` for each GGUF, exported into a temporary folder in the same run), on
the same Korean chat prompts from the held-out split, greedy, one request at a time:
time to first token (first text chunk, prompt processing included) and generated tokens/s
after it. The transformers backend is the baseline; every row prints its ratio to it.
Report the CPU (`grep -o amx_tile /proc/cpuinfo`) and whether the machine was shared.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hanji.serve.backends.base import (  # noqa: E402
    Backend,
    GenerateRequest,
    Message,
    SamplingParams,
)


def prompts(n: int) -> list[str]:
    from hanji.text.io import iter_texts

    texts = iter_texts(sorted((ROOT / "data" / "sample" / "heldout").glob("*.jsonl")))
    lines = [line.strip() for t in texts for line in t.splitlines() if len(line.strip()) > 30]
    return [f"다음 글을 이어서 써 주세요: {line[:60]}" for line in lines[:n]]


async def time_backend(backend: Backend, asks: list[str], tokens: int) -> dict[str, float]:
    await backend.start()
    try:
        warm = GenerateRequest(
            "m", SamplingParams(4, temperature=0), messages=(Message("user", "안녕"),)
        )
        await backend.generate(warm)
        ttft, rates, total = [], [], 0
        for ask in asks:
            req = GenerateRequest(
                "m", SamplingParams(tokens, temperature=0), messages=(Message("user", ask),)
            )
            t0 = time.perf_counter()
            first = None
            usage = None
            async for chunk in backend.stream(req):
                if first is None and chunk.text:
                    first = time.perf_counter()
                if chunk.usage is not None:
                    usage = chunk.usage
            end = time.perf_counter()
            assert usage is not None and first is not None
            ttft.append(first - t0)
            if usage.completion_tokens > 1:
                rates.append((usage.completion_tokens - 1) / (end - first))
            total += usage.completion_tokens
        return {
            "ttft_ms": statistics.median(ttft) * 1000,
            "tok_s": statistics.median(rates),
            "tokens": total,
        }
    finally:
        await backend.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--prompts", type=int, default=5)
    ap.add_argument("--types", default="f16,q8_0,q4_k_m")
    args = ap.parse_args()

    from hanji.export.gguf import export_gguf
    from hanji.serve.backends.llamacpp import LlamaCppBackend
    from hanji.serve.backends.local import LocalBackend

    asks = prompts(args.prompts)
    rows: list[tuple[str, dict[str, float]]] = []
    rows.append(
        (
            "transformers (fp32)",
            asyncio.run(time_backend(LocalBackend("m", str(args.model_dir)), asks, args.tokens)),
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.types.split(","):
            path = export_gguf(args.model_dir, Path(tmp) / f"m.{kind}.gguf", gguf_type=kind)
            mb = path.bytes / 1e6
            result = asyncio.run(
                time_backend(LlamaCppBackend("m", str(path.path)), asks, args.tokens)
            )
            rows.append((f"llama.cpp {kind} ({mb:.0f} MB)", result))
    base = rows[0][1]
    print(f"{len(asks)} prompts, {args.tokens} tokens max, greedy, one request at a time")
    print("| engine | time to first token (median) | tokens/s (median) | × transformers tok/s |")
    print("|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['ttft_ms']:.0f} ms | {r['tok_s']:.1f} | "
            f"{r['tok_s'] / base['tok_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
