"""Loading through the resolver; the embedded GGUF is converted once and cached."""

import json
from pathlib import Path

import pytest
import torch

from hanji.modeling import (
    ModelResolutionError,
    load_model,
    load_model_and_tokenizer,
    load_tokenizer,
    model_facts,
    save_model,
)
from hanji.modeling.facts import chars_per_token, korean_sample

KOREAN = "한지는 천 년 동안 한국의 글을 실어 온 종이입니다. 오늘은 '갓생' 살기로 했어요!"


@pytest.fixture(scope="module")
def smollm_tokenizer():
    return load_tokenizer("smollm2-135m")


def test_embedded_tokenizer_vocab_and_korean_round_trip(smollm_tokenizer) -> None:
    assert len(smollm_tokenizer) == 49_152
    ids = smollm_tokenizer(KOREAN, add_special_tokens=False)["input_ids"]
    assert smollm_tokenizer.decode(ids) == KOREAN
    # English-centric: Korean costs about two tokens per character.
    assert 0.3 < chars_per_token(smollm_tokenizer, korean_sample()) < 0.8


@pytest.mark.slow
def test_embedded_model_loads_and_scores_korean(smollm_tokenizer) -> None:
    model = load_model("smollm2-135m")
    assert model.config.model_type == "llama"
    assert model.get_input_embeddings().weight.shape == (49_152, 576)
    batch = smollm_tokenizer(KOREAN, return_tensors="pt")
    with torch.no_grad():
        out = model(**batch, labels=batch["input_ids"])
    assert torch.isfinite(out.loss) and 0.5 < out.loss.item() < 10


def _tiny_dir(tmp_path: Path, tokenizer) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    return save_model(LlamaForCausalLM(config), tokenizer, tmp_path / "tiny")


def test_local_dir_round_trip_and_facts(tmp_path: Path, smollm_tokenizer) -> None:
    out = _tiny_dir(tmp_path, smollm_tokenizer)
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    model, tok = load_model_and_tokenizer(str(out))
    assert model.config.num_hidden_layers == 2 and len(tok) == 49_152
    facts = model_facts(str(out))
    assert facts.kind == "dir" and facts.vocab_size == 49_152 and facts.n_layers == 2
    assert facts.n_params == sum(p.numel() for p in model.parameters())
    assert json.loads(json.dumps(facts.as_dict()))["ko_chars_per_token"] > 0


def test_embedded_facts() -> None:
    facts = model_facts("smollm2-135m")
    assert facts.architecture == "LlamaForCausalLM"
    assert facts.vocab_size == 49_152 and facts.tied_embeddings
    assert 130e6 < facts.n_params < 140e6


def test_offline_hub_id_fails_clearly() -> None:
    with pytest.raises(ModelResolutionError) as info:
        load_tokenizer("hanji-test/does-not-exist")
    msg = str(info.value)
    assert "could not load 'hanji-test/does-not-exist' from the Hugging Face Hub" in msg
    assert "HF_HUB_OFFLINE" in msg
