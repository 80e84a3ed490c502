"""Check a GGUF against the model dir it came from, with llama.cpp itself as the judge.

Three checks (`hanji export verify`): llama.cpp's token ids equal the Hugging Face
tokenizer's on Korean lines; greedy generations equal transformers' greedy output; bits per
character from llama.cpp's logits match hanji's `evaluate.bpc` on the same texts (same
convention: each document starts after the EOS separator, every token scored once, with a
sliding window past the context).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LN2 = math.log(2)


@dataclass
class TokenCheck:
    equal: int = 0
    total: int = 0
    mismatches: list[int] = field(default_factory=list)  # line numbers, never the text


def check_tokenization(hf_tokenizer: Any, llm: Any, lines: Iterable[str]) -> TokenCheck:
    """Lines whose llama.cpp token ids equal the HF tokenizer's (no special tokens added)."""
    out = TokenCheck()
    for i, line in enumerate(lines):
        text = unicodedata.normalize("NFC", line)
        hf = list(hf_tokenizer(text, add_special_tokens=False)["input_ids"])
        ll = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
        out.total += 1
        if hf == ll:
            out.equal += 1
        else:
            out.mismatches.append(i)
    return out


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    eos = tokenizer.eos_token_id if eos is None else eos
    return set(eos if isinstance(eos, list) else [] if eos is None else [eos])


def hf_greedy(model: Any, tokenizer: Any, prompt_ids: list[int], n: int) -> list[int]:
    """transformers' greedy continuation of ``prompt_ids``, ending at EOS or ``n`` tokens."""
    import torch

    ids = torch.tensor([prompt_ids])
    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=n,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
            pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
        )
    new = out[0, len(prompt_ids) :].tolist()
    eos = _eos_ids(model, tokenizer)
    for j, t in enumerate(new):
        if t in eos:
            return new[: j + 1]
    return new


def llama_greedy(llm: Any, prompt_ids: list[int], n: int, eos: set[int]) -> list[int]:
    """llama.cpp's greedy continuation (argmax of its logits), ending at EOS or ``n`` tokens."""
    import numpy as np

    llm.reset()
    llm.eval(prompt_ids)
    new: list[int] = []
    for _ in range(n):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        new.append(token)
        if token in eos:
            break
        llm.eval([token])
    return new


def divergence_margin(
    model: Any, prompt_ids: list[int], ref: list[int], other: list[int]
) -> float | None:
    """Where two greedy continuations first differ, how far apart transformers' fp32 logits
    put the two chosen tokens (nats, >= 0): a flip of a near-tie reads ~0.01, a real error
    nats. None when they are equal or one is a prefix of the other (one stopped at EOS)."""
    import torch

    j = next((i for i, (a, b) in enumerate(zip(ref, other, strict=False)) if a != b), None)
    if j is None:
        return None
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([prompt_ids + ref[:j]])).logits[0, -1]
    return float(logits[ref[j]] - logits[other[j]])


def llama_sequence_nll(llm: Any, ids: Sequence[int], *, window: int) -> float:
    """Summed NLL (nats) of ``ids[1:]`` from llama.cpp logits; windows as `evaluate.bpc`."""
    import numpy as np

    stride = min(max(window // 2, 1), window - 1)
    total, scored, begin, n = 0.0, 0, 0, len(ids)
    while scored < n - 1:
        end = min(begin + window, n)
        chunk = list(ids[begin:end])
        llm.reset()
        llm.eval(chunk)
        logits = np.asarray(llm.scores[: len(chunk) - 1], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        logz = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        row0 = scored - begin
        rows = np.arange(row0, len(chunk) - 1)
        targets = np.asarray(chunk[row0 + 1 :])
        total += float((logz[rows] - logits[rows, targets]).sum())
        scored = end - 1
        begin += stride
    return total


def llama_bpc(llm: Any, sep: int, texts: Iterable[str], *, window: int) -> tuple[float, int]:
    """(bits, characters) over ``texts``, each scored after the separator ``sep``."""
    bits, chars = 0.0, 0
    for raw in texts:
        text = unicodedata.normalize("NFC", raw)
        if not text:
            continue
        ids = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
        bits += llama_sequence_nll(llm, [sep, *ids], window=window) / LN2
        chars += len(text)
    return bits, chars


@dataclass
class Verification:
    gguf: str
    tokens_equal: int
    tokens_total: int
    greedy_equal: int
    greedy_total: int
    bpc_hanji: float | None
    bpc_llamacpp: float | None
    chars: int
    greedy_margins: list[float] = field(default_factory=list)
    """Per greedy prompt that differed: transformers' fp32 logit of its token minus that of
    llama.cpp's at the first difference (`divergence_margin`)."""

    @property
    def bpc_rel_diff(self) -> float | None:
        if self.bpc_hanji is None or self.bpc_llamacpp is None:
            return None
        return abs(self.bpc_llamacpp - self.bpc_hanji) / self.bpc_hanji

    def to_dict(self) -> dict[str, Any]:
        return {
            "gguf": self.gguf,
            "tokenization_equal": f"{self.tokens_equal}/{self.tokens_total}",
            "greedy_equal": f"{self.greedy_equal}/{self.greedy_total}",
            "greedy_divergence_margins": [round(m, 4) for m in self.greedy_margins],
            "bpc_hanji": self.bpc_hanji,
            "bpc_llamacpp": self.bpc_llamacpp,
            "bpc_rel_diff": self.bpc_rel_diff,
            "chars": self.chars,
        }


def verify_gguf(
    model_dir: str | Path,
    gguf_path: str | Path,
    *,
    lines: Sequence[str],
    prompts: Sequence[str],
    bpc_texts: Sequence[str] = (),
    n_tokens: int = 32,
    window: int = 2048,
) -> Verification:
    """Run the three checks of ``gguf_path`` against ``model_dir`` (loaded in fp32)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hanji.evaluate.bpc import bits_per_character
    from hanji.export.llamacpp import load

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype="float32").eval()
    window = min(window, int(getattr(model.config, "max_position_embeddings", window)))
    llm = load(gguf_path, n_ctx=window, logits_all=True)
    try:
        tok = check_tokenization(tokenizer, llm, lines)
        eos = _eos_ids(model, tokenizer)
        greedy, margins = 0, []
        for prompt in prompts:
            ids = list(tokenizer(unicodedata.normalize("NFC", prompt))["input_ids"])
            ref = hf_greedy(model, tokenizer, ids, n_tokens)
            other = llama_greedy(llm, ids, n_tokens, eos)
            greedy += ref == other
            margin = divergence_margin(model, ids, ref, other)
            if margin is not None:
                margins.append(margin)
        bpc_h = bpc_l = None
        chars = 0
        if bpc_texts:
            import torch

            with torch.inference_mode():
                res = bits_per_character(
                    model, tokenizer, [("all", t) for t in bpc_texts], window=window
                )
            sep = tokenizer.eos_token_id
            if sep is None:
                sep = tokenizer.bos_token_id
            bits, chars = llama_bpc(llm, int(sep), bpc_texts, window=window)
            bpc_h, bpc_l = res.bpc, bits / chars if chars else None
    finally:
        llm.close()
    return Verification(
        str(gguf_path), tok.equal, tok.total, greedy, len(prompts), bpc_h, bpc_l, chars, margins
    )
