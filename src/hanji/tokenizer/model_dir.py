"""`extend_model`: base model + Korean corpus → an HF model dir with a larger vocabulary."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanji.tokenizer.embeddings import Init, resize_and_init
from hanji.tokenizer.extend import apply_extension, learn_extension

EXTENSION_FILE = "hanji_vocab.json"


@dataclass
class ExtendResult:
    out: Path
    base_vocab_size: int
    new_vocab_size: int
    n_new_tokens: int
    must_have_single: int
    must_have_total: int
    seconds: float


def _backend(tokenizer: Any) -> Any:
    from tokenizers import Tokenizer

    from hanji.tokenizer.extend import UnsupportedTokenizerError

    if not hasattr(tokenizer, "backend_tokenizer"):
        raise UnsupportedTokenizerError(
            f"the base tokenizer ({type(tokenizer).__name__}) has no fast tokenizer.json; "
            "vocabulary expansion supports byte-level BPE tokenizers only (GPT-2, Llama-3, "
            "Qwen2, SmolLM, Mistral-Nemo style). Choose a byte-level BPE base model."
        )
    return Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())


def extend_model(
    base: str,
    texts: Iterable[str],
    out: str | Path,
    *,
    n_new: int = 8000,
    must_have: Iterable[str] = (),
    input_init: Init = "mean",
    output_init: Init = "first",
    untie: bool = False,
    with_model: bool = True,
) -> ExtendResult:
    """Extend ``base``'s tokenizer on ``texts`` and save tokenizer (and model) to ``out``."""
    from transformers import PreTrainedTokenizerFast

    from hanji.modeling import load_model, load_tokenizer, save_model

    t0 = time.perf_counter()
    out = Path(out)
    hf_tok = load_tokenizer(base)
    base_backend = _backend(hf_tok)
    ext = learn_extension(base_backend, texts, n_new=n_new, must_have=must_have)
    spec = apply_extension(json.loads(base_backend.to_str()), ext)

    from tokenizers import Tokenizer

    new_backend = Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))
    new_tok = PreTrainedTokenizerFast(
        tokenizer_object=new_backend,
        bos_token=hf_tok.bos_token,
        eos_token=hf_tok.eos_token,
        unk_token=hf_tok.unk_token,
        pad_token=hf_tok.pad_token,
        additional_special_tokens=[
            t
            for t in hf_tok.all_special_tokens
            if t not in {hf_tok.bos_token, hf_tok.eos_token, hf_tok.unk_token, hf_tok.pad_token}
        ],
        clean_up_tokenization_spaces=False,
        model_max_length=hf_tok.model_max_length,
    )
    new_tok.chat_template = hf_tok.chat_template

    # The pieces the base tokenizer cuts each new token into (ids in the base vocabulary).
    vocab = base_backend.get_vocab()
    piece_ids: list[list[int]] = []
    for token in ext.new_tokens:
        ids = [vocab[p.value] for p in base_backend.model.tokenize(token)]
        piece_ids.append(ids)

    record: dict[str, Any] = {"base": base, **ext.to_dict()}
    out.mkdir(parents=True, exist_ok=True)
    if with_model:
        model = load_model(base, device="cpu")
        record["embeddings"] = resize_and_init(
            model,
            piece_ids,
            ext.base_vocab_size,
            input_init=input_init,
            output_init=output_init,
            untie=untie,
        )
        save_model(model, new_tok, out)
    else:
        new_tok.save_pretrained(out)
    (out / EXTENSION_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    return ExtendResult(
        out=out,
        base_vocab_size=ext.base_vocab_size,
        new_vocab_size=ext.base_vocab_size + len(ext.new_tokens),
        n_new_tokens=len(ext.new_tokens),
        must_have_single=sum(ext.must_have.values()),
        must_have_total=len(ext.must_have),
        seconds=time.perf_counter() - t0,
    )
