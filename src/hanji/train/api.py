"""Entry points: continued pre-training (`train_cpt`) and supervised fine-tuning (`train_sft`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hanji.train.data import PackedData, find_mixture, load_documents
from hanji.train.loop import LoopConfig, StageSpec, Summary, Trainer
from hanji.train.sources import CHATML_TEMPLATE, ChatSource, PackedSource, load_conversations

VOCAB_RECORD = "hanji_vocab.json"


def new_rows_of(model_ref: str) -> int | None:
    """First new embedding row when ``model_ref`` is a dir written by `hanji tokenizer extend`."""
    record = Path(model_ref) / VOCAB_RECORD
    if record.is_file():
        data = json.loads(record.read_text("utf-8"))
        if data.get("n_new_tokens", 0) > 0:
            return int(data["base_vocab_size"])
    return None


def default_stages(steps: int, lr: float, *, expanded: bool) -> list[StageSpec]:
    """EEVE-style defaults: new rows first (a third of the steps, 10× lr), then everything."""
    if not expanded or steps < 3:
        return [StageSpec("full", steps, lr, warmup_steps=max(steps // 20, 0))]
    first = max(steps // 3, 1)
    return [
        StageSpec("new_embeddings", first, lr * 10, warmup_steps=max(first // 10, 0)),
        StageSpec("full", steps - first, lr, warmup_steps=max((steps - first) // 20, 0)),
    ]


def _loader(model_ref: str):
    def load() -> Any:
        from hanji.modeling import load_model

        return load_model(model_ref, dtype="float32")

    return load


def train_cpt(
    model_ref: str,
    data: list[str | Path],
    out: str | Path,
    *,
    stages: list[StageSpec] | None = None,
    steps: int = 100,
    lr: float = 1e-4,
    seq_len: int = 256,
    config: LoopConfig | None = None,
    heldout_fraction: float = 0.02,
    probabilities: dict[str, float] | None = None,
    resume: bool = False,
) -> Summary:
    from hanji.modeling import load_tokenizer

    config = config or LoopConfig()
    tokenizer = load_tokenizer(model_ref)
    first_new = new_rows_of(model_ref)
    if stages is None:
        stages = default_stages(steps, lr, expanded=first_new is not None)
    packed = PackedData(
        load_documents(data),
        tokenizer,
        seq_len=seq_len,
        seed=config.seed,
        heldout_fraction=heldout_fraction,
        probabilities=probabilities if probabilities is not None else find_mixture(data),
    )
    extra = {VOCAB_RECORD: Path(model_ref) / VOCAB_RECORD}
    trainer = Trainer(
        kind="cpt",
        load_model=_loader(model_ref),
        tokenizer=tokenizer,
        data=PackedSource(packed),
        stages=stages,
        config=config,
        out=out,
        first_new_row=first_new,
        extra_files=extra,
    )
    summary = trainer.run(resume=resume)
    _record_mixture(out, packed)
    return summary


def _record_mixture(out: str | Path, packed: PackedData) -> None:
    path = Path(out) / "training_summary.json"
    if path.is_file():
        data = json.loads(path.read_text("utf-8"))
        data["mixture"] = packed.probabilities
        data["train_blocks"] = {d: len(b.train) for d, b in packed.domains.items()}
        data["heldout_blocks"] = {d: len(b.heldout) for d, b in packed.domains.items()}
        data["unsampled_domains"] = packed.unsampled
        path.write_text(json.dumps(data, indent=1), "utf-8")


def train_sft(
    model_ref: str,
    data: list[str | Path],
    out: str | Path,
    *,
    steps: int = 100,
    lr: float = 5e-5,
    seq_len: int = 512,
    kind: str = "full",
    config: LoopConfig | None = None,
    resume: bool = False,
    budget_s: float | None = None,
) -> Summary:
    from hanji.modeling import load_tokenizer

    config = config or LoopConfig()
    tokenizer = load_tokenizer(model_ref)
    if not tokenizer.chat_template:  # train on ChatML and ship it, so serving uses the same
        tokenizer.chat_template = CHATML_TEMPLATE
    source = ChatSource(
        load_conversations(list(data)), tokenizer, seq_len=seq_len, seed=config.seed
    )
    stage = StageSpec(kind, steps, lr, warmup_steps=max(steps // 20, 0), budget_s=budget_s)
    extra = {VOCAB_RECORD: Path(model_ref) / VOCAB_RECORD}
    trainer = Trainer(
        kind="sft",
        load_model=_loader(model_ref),
        tokenizer=tokenizer,
        data=source,
        stages=[stage],
        config=config,
        out=out,
        extra_files=extra,
    )
    return trainer.run(resume=resume)
