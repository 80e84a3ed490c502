"""A toy Llama (2 layers, width 16) and a byte-level BPE trained in-process in a second."""

import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

KOREAN = [
    "한지는 닥나무 껍질로 만든 종이로, 가볍고 질겨서 오래 보존된다.",
    "아침마다 공원을 걷는 할아버지는 계절이 바뀌는 소리를 듣는다고 말했다.",
    "도서관에서 빌린 책을 반납하고 시장에 들러 사과와 배를 샀다.",
    "요즘 학생들은 갓생을 살겠다며 새벽 여섯 시에 일어나 공부를 시작한다.",
    "비가 그친 뒤 골목마다 물웅덩이가 생겼고 아이들은 신이 나서 뛰어다녔다.",
    "과학 시간에는 물이 얼음이 되는 온도와 수증기가 되는 온도를 배웠다.",
]


def make_tokenizer(texts: list[str], vocab_size: int = 300) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        clean_up_tokenization_spaces=False,
    )


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("toy")
    tok = make_tokenizer(KOREAN * 3)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=128,
        tie_word_embeddings=False,
        eos_token_id=tok.eos_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def toy_expanded_dir(tmp_path_factory, toy_model_dir) -> Path:
    """The toy model presented as if `hanji tokenizer extend` had added its last 20 rows."""
    out = tmp_path_factory.mktemp("toy_expanded")
    for f in toy_model_dir.iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    n = LlamaConfig.from_pretrained(out).vocab_size
    (out / "hanji_vocab.json").write_text(
        json.dumps({"base_vocab_size": n - 20, "n_new_tokens": 20}), "utf-8"
    )
    return out


@pytest.fixture()
def korean_jsonl(tmp_path) -> Path:
    path = tmp_path / "docs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(KOREAN * 4):
            domain = "news" if i % 2 else "literature"
            fh.write(json.dumps({"id": i, "text": text, "domain": domain}, ensure_ascii=False))
            fh.write("\n")
    return path
