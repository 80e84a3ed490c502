"""Which precision runs where: bf16 autocast on AMX CPUs and bf16 GPUs, fp32 elsewhere."""

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from hanji.modeling import autocast_for, pick_precision


def _tiny(dtype: torch.dtype = torch.float32) -> LlamaForCausalLM:
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=64,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
    )
    return LlamaForCausalLM(cfg).to(dtype).eval()


def test_explicit_choices_win_and_bad_names_are_refused() -> None:
    assert pick_precision("fp32") == "fp32"
    assert pick_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="auto, fp32 or bf16"):
        pick_precision("fp16")


@pytest.mark.parametrize(("amx", "expected"), [(True, "bf16"), (False, "fp32")])
def test_auto_on_a_cpu_follows_amx(monkeypatch, amx: bool, expected: str) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert pick_precision("auto") == expected


def test_autocast_for_wraps_fp32_cpu_models_only() -> None:
    model = _tiny()
    with autocast_for(model, "bf16"):
        assert torch.is_autocast_enabled("cpu")
        logits = model(input_ids=torch.tensor([[1, 2, 3]])).logits
        assert logits.dtype == torch.bfloat16
    with autocast_for(model, "fp32"):
        assert not torch.is_autocast_enabled("cpu")
        assert model(input_ids=torch.tensor([[1, 2, 3]])).logits.dtype == torch.float32
    # a model already in bf16 runs as it is
    with autocast_for(_tiny(torch.bfloat16), "bf16"):
        assert not torch.is_autocast_enabled("cpu")
