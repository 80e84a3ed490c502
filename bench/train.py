"""Tokens/s of hanji's training loop vs. a plain Hugging Face `Trainer`, same model and batch.

    .venv/bin/python bench/train.py [--model smollm2-135m] [--steps 8] [--seq-len 256]

Both run full fine-tuning in fp32 on the CPU (bf16 on a GPU) over the same packed Korean
blocks from data/sample/train, AdamW, batch 4, no evaluation; the first two steps of each are
warm-up and not timed. Prints tokens/s for both and the ratio (measured in this run).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).parents[1]


def hanji_tps(model_ref: str, steps: int, seq_len: int, batch: int) -> float:
    from hanji.train import LoopConfig, StageSpec, train_cpt

    with tempfile.TemporaryDirectory() as tmp:
        train_cpt(
            model_ref,
            [ROOT / "data/sample/train"],
            Path(tmp) / "o",
            stages=[StageSpec("full", steps, 1e-5)],
            seq_len=seq_len,
            config=LoopConfig(batch_size=batch, progress=False, checkpoint_every=10**6),
        )
        rows = [json.loads(x) for x in (Path(tmp) / "o/metrics.jsonl").read_text().splitlines()]
    timed = rows[2:]
    # tokens over mean step time, as for the Trainer below (not a mean of per-step rates)
    seconds = [batch * seq_len / r["tokens_per_s"] for r in timed]
    return batch * seq_len / (sum(seconds) / len(seconds))


def trainer_tps(model_ref: str, steps: int, seq_len: int, batch: int) -> float:
    from transformers import Trainer, TrainerCallback, TrainingArguments

    from hanji.modeling import load_model, load_tokenizer
    from hanji.train.data import PackedData, load_documents

    tok = load_tokenizer(model_ref)
    data = PackedData(load_documents([ROOT / "data/sample/train"]), tok, seq_len=seq_len)
    blocks = [b for d in data.domains.values() for b in d.train]

    class DS(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(blocks)

        def __getitem__(self, i: int) -> dict:
            ids = torch.tensor(blocks[i][:seq_len])
            return {"input_ids": ids, "labels": ids.clone()}

    times: list[float] = []

    class Clock(TrainerCallback):
        def on_step_begin(self, *a, **k):
            self.t = time.perf_counter()

        def on_step_end(self, *a, **k):
            times.append(time.perf_counter() - self.t)

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            per_device_train_batch_size=batch,
            max_steps=steps,
            learning_rate=1e-5,
            report_to=[],
            save_strategy="no",
            logging_strategy="no",
            dataloader_num_workers=0,
            use_cpu=not torch.cuda.is_available(),
            bf16=torch.cuda.is_available(),
        )
        model = load_model(model_ref, dtype="float32")
        Trainer(model=model, args=args, train_dataset=DS(), callbacks=[Clock()]).train()
    timed = times[2:]
    return batch * seq_len / (sum(timed) / len(timed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=4)
    a = ap.parse_args()
    ours = hanji_tps(a.model, a.steps, a.seq_len, a.batch_size)
    theirs = trainer_tps(a.model, a.steps, a.seq_len, a.batch_size)
    print(
        f"model {a.model}, batch {a.batch_size} x {a.seq_len} tokens, {a.steps} steps "
        f"(2 warm-up), device {'cuda' if torch.cuda.is_available() else 'cpu'}"
    )
    print(f"hanji loop        {ours:10.1f} tokens/s")
    print(f"HF Trainer        {theirs:10.1f} tokens/s")
    print(f"ratio hanji/HF    {ours / theirs:10.2f}x")


if __name__ == "__main__":
    main()
