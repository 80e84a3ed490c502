#!/usr/bin/env bash
# A short bf16 continued-pre-training run on one GPU that prints tokens/s and MFU.
#   scripts/gpu_smoke.sh [MODEL] [STEPS]        (MODEL defaults to the embedded smollm2-135m)
# Needs: make test's .venv (or `pip install -e .` with a CUDA build of torch) and a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-smollm2-135m}"
STEPS="${2:-60}"
PY="${PY:-.venv/bin/python}"
OUT="$(mktemp -d)/smoke"
"$PY" - <<'PY'
import torch, sys
if not torch.cuda.is_available():
    sys.exit("gpu_smoke: no CUDA device visible to torch")
print("device:", torch.cuda.get_device_name(0), "bf16:", torch.cuda.is_bf16_supported())
PY
"$PY" -m hanji.cli train cpt --model "$MODEL" --data data/sample/train --out "$OUT" \
  --steps "$STEPS" --seq-len 1024 --batch-size 16 --lr 1e-4 --checkpoint-every 100000
"$PY" - "$OUT" "$MODEL" <<'PY'
import json, sys, torch
from pathlib import Path
out, model = Path(sys.argv[1]), sys.argv[2]
rows = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines()]
steady = rows[len(rows) // 3 :]  # skip warm-up and compilation
tps = sum(r["tokens_per_s"] for r in steady) / len(steady)
import math
from safetensors import safe_open
with safe_open(str(out / "model.safetensors"), "pt") as f:
    n = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
name = torch.cuda.get_device_name(0)
peak = 989e12 if "H100" in name or "H200" in name else 312e12  # dense bf16 FLOP/s (A100: 312)
mfu = 6 * n * tps / peak  # 6·N FLOPs per token (forward + backward), attention not counted
print(f"model {model}: {n/1e6:.1f} M params, {tps:,.0f} tokens/s, MFU {mfu:.1%} of {peak/1e12:.0f} TFLOP/s")
PY
