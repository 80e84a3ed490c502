import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM


def _toy_llama(vocab: int, layers: int = 2, seed: int = 0) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=vocab,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=layers,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
    )
    return LlamaForCausalLM(cfg).eval()


@pytest.fixture(scope="session")
def smol_tokenizer():
    from hanji.modeling import load_tokenizer

    return load_tokenizer("smollm2-135m")


@pytest.fixture(scope="session")
def toy_llama():
    return _toy_llama


@pytest.fixture(scope="session")
def toy(smol_tokenizer):
    return _toy_llama(len(smol_tokenizer)), smol_tokenizer
