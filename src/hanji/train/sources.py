"""Batch sources for the loop: packed documents (CPT) and chat conversations (SFT)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import torch

from hanji.text.io import ReadError, expand, read_jsonl
from hanji.train.data import PackedData

# Used when a tokenizer has no chat template of its own.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
MAX_HELDOUT_BLOCKS = 32


class PackedSource:
    """CPT batches: a block of ``seq_len + 1`` ids gives inputs ``[:-1]`` and labels ``[1:]``."""

    def __init__(self, data: PackedData, eval_batch_size: int = 4) -> None:
        self.data = data
        self.eval_batch_size = eval_batch_size

    def batch(self, step: int, batch_size: int) -> dict[str, Any]:
        blocks, domains = self.data.batch(step, batch_size)
        return {"input_ids": blocks[:, :-1], "labels": blocks[:, 1:], "domains": domains}

    def heldout(self) -> list[dict[str, Any]]:
        blocks = self.data.heldout_blocks()[:MAX_HELDOUT_BLOCKS]
        out = []
        for i in range(0, len(blocks), self.eval_batch_size):
            t = torch.tensor(blocks[i : i + self.eval_batch_size], dtype=torch.long)
            out.append({"input_ids": t[:, :-1], "labels": t[:, 1:]})
        return out


def _is_conversation(msgs: Any) -> bool:
    return (
        isinstance(msgs, list)
        and bool(msgs)
        and all(
            isinstance(m, dict)
            and m.get("role") in ("system", "user", "assistant")
            and isinstance(m.get("content"), str)
            for m in msgs
        )
        and any(m["role"] == "assistant" for m in msgs)
    )


def load_conversations(paths: list[str | Path]) -> list[list[dict[str, str]]]:
    """``messages`` JSONL, in NFC; a bad line raises naming the file and line."""
    convs = []
    for path in expand(paths):
        for lineno, rec in read_jsonl(path):
            msgs = rec.get("messages") if isinstance(rec, dict) else None
            if not _is_conversation(msgs):
                raise ReadError(
                    f"{path}:{lineno}: 'messages' must be a list of {{role, content}} with "
                    "roles system/user/assistant and at least one assistant turn"
                )
            convs.append(msgs)
    if not convs:
        raise ValueError(f"no conversations in {[str(p) for p in paths]}")
    return convs


def encode_conversation(
    tokenizer: Any, messages: list[dict[str, str]], max_len: int
) -> tuple[list[int], list[int]]:
    """Token ids and labels where only assistant turns (with their end marker) are learned.

    Each assistant turn's span is found by rendering the conversation up to the turn with
    the generation prompt and up to its end: the template renders a prefix of the text.
    """
    template = tokenizer.chat_template or CHATML_TEMPLATE

    def render(msgs: list[dict[str, str]], gen: bool) -> str:
        return tokenizer.apply_chat_template(
            msgs, tokenize=False, add_generation_prompt=gen, chat_template=template
        )

    full = render(messages, False)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        start = len(render(messages[:i], True))
        end = len(render(messages[: i + 1], False))
        spans.append((start, end))
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids, labels = [], []
    for tok_id, (a, b) in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
        ids.append(tok_id)
        learn = any(s <= a and b <= e for s, e in spans) and b > a
        labels.append(tok_id if learn else -100)
    # shift: position t predicts token t+1
    return ids[:max_len], [*labels[1:], -100][:max_len]


class ChatSource:
    """SFT batches of whole conversations, right-padded; loss on assistant tokens only."""

    def __init__(
        self,
        convs: list[list[dict[str, str]]],
        tokenizer: Any,
        *,
        seq_len: int,
        seed: int = 0,
        heldout_fraction: float = 0.05,
    ) -> None:
        encoded = [encode_conversation(tokenizer, c, seq_len) for c in convs]
        encoded = [e for e in encoded if any(label != -100 for label in e[1])]
        rng = random.Random(seed)
        rng.shuffle(encoded)
        n_held = int(len(encoded) * heldout_fraction) if len(encoded) >= 20 else 0
        self.held, self.train = encoded[:n_held], encoded[n_held:]
        if not self.train:
            raise ValueError("no conversation has an assistant token within --seq-len")
        self.pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.seed = seed

    def _collate(self, items: list[tuple[list[int], list[int]]]) -> dict[str, Any]:
        width = max(len(i) for i, _ in items)
        ids = [i + [self.pad] * (width - len(i)) for i, _ in items]
        labels = [lab + [-100] * (width - len(lab)) for _, lab in items]
        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "labels": torch.tensor(labels, dtype=torch.long),
            "domains": ["sft"] * len(items),
        }

    def batch(self, step: int, batch_size: int) -> dict[str, Any]:
        items = []
        for slot in range(batch_size):
            epoch, pos = divmod(step * batch_size + slot, len(self.train))
            order = list(range(len(self.train)))
            random.Random(self.seed * 7919 + epoch).shuffle(order)
            items.append(self.train[order[pos]])
        return self._collate(items)

    def heldout(self) -> list[dict[str, Any]]:
        return [self._collate(self.held[i : i + 4]) for i in range(0, len(self.held), 4)]
