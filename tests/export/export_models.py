"""Small hanji-built models to export: the embedded base's tokenizer with hanji's Korean
extension on a tiny Llama body, and a tiny Qwen2 with a Qwen2-style tokenizer.

Test modules import these helpers as `export_models`, as tests/serve does `serve_fakes`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def heldout_lines() -> list[str]:
    """Non-empty lines of the held-out split (Korean, with some digits and Latin)."""
    from hanji.text.io import iter_texts

    texts = iter_texts(sorted((SAMPLE / "heldout").glob("*.jsonl")))
    return [
        unicodedata.normalize("NFC", line.strip())
        for text in texts
        for line in text.splitlines()
        if line.strip()
    ]


def heldout_docs() -> list[str]:
    from hanji.text.io import iter_texts

    return list(iter_texts(sorted((SAMPLE / "heldout").glob("*.jsonl"))))


def _peaky_llama(vocab_size: int, tok: object, *, tied: bool, seed: int = 0) -> object:
    """A 2-layer Llama whose weights are exact in f16 and whose logits are far from ties,
    so f16 greedy decoding in llama.cpp has no near-equal argmax to flip."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        rope_theta=10000.0,
        tie_word_embeddings=tied,
        bos_token_id=tok.bos_token_id,  # type: ignore[attr-defined]
        eos_token_id=tok.eos_token_id,  # type: ignore[attr-defined]
        pad_token_id=tok.pad_token_id,  # type: ignore[attr-defined]
        initializer_range=0.2,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    return model


def build_ko_model(out: Path) -> Path:
    """The embedded base's tokenizer extended by hanji on the sample corpus (the quickstart's
    tokenizer stage, fewer tokens), on a tiny Llama body with tied embeddings."""
    from transformers import AutoTokenizer

    from hanji.text.io import iter_texts
    from hanji.tokenizer.model_dir import extend_model

    texts = list(iter_texts(sorted((SAMPLE / "train").glob("*.jsonl"))))
    res = extend_model("smollm2-135m", texts, out, n_new=300, with_model=False)
    assert res.n_new_tokens > 100
    tok = AutoTokenizer.from_pretrained(str(out))
    model = _peaky_llama(len(tok), tok, tied=True)
    model.save_pretrained(out)  # type: ignore[attr-defined]
    return out


def build_qwen_model(out: Path) -> Path:
    """A tiny Qwen2: NFC normalizer, Qwen2's split regex, byte-level BPE trained here."""
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    from hanji.export.pretokenizer import _QWEN2
    from hanji.text.io import iter_texts

    texts = list(iter_texts(sorted((SAMPLE / "train").glob("*.jsonl"))))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_QWEN2), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1200,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    config = Qwen2Config(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=False,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        initializer_range=0.2,
    )
    torch.manual_seed(1)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    model.save_pretrained(out)
    fast.save_pretrained(out)
    return out
