import torch
from transformers import LlamaConfig, LlamaForCausalLM

from hanji.tokenizer.embeddings import resize_and_init


def _model(tied: bool) -> LlamaForCausalLM:
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=20,
        hidden_size=8,
        intermediate_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        tie_word_embeddings=tied,
    )
    return LlamaForCausalLM(cfg)


def test_untied_mean_input_first_output() -> None:
    model = _model(tied=False)
    old_in = model.get_input_embeddings().weight.detach().clone()
    old_out = model.get_output_embeddings().weight.detach().clone()
    record = resize_and_init(model, [[3, 4, 5], [7]], 20, input_init="mean", output_init="first")
    w_in = model.get_input_embeddings().weight
    w_out = model.get_output_embeddings().weight
    assert w_in.shape == w_out.shape == (22, 8)
    torch.testing.assert_close(w_in[20], old_in[[3, 4, 5]].mean(0))
    torch.testing.assert_close(w_in[21], old_in[7])
    torch.testing.assert_close(w_out[20], old_out[3])
    assert torch.equal(w_in[:20], old_in) and torch.equal(w_out[:20], old_out)
    assert record["new_token_ids"] == [20, 22] and not record["tied"]


def test_tied_keeps_one_matrix_or_unties() -> None:
    model = _model(tied=True)
    old = model.get_input_embeddings().weight.detach().clone()
    record = resize_and_init(model, [[1, 2]], 20)
    assert model.get_output_embeddings().weight.data_ptr() == (
        model.get_input_embeddings().weight.data_ptr()
    )
    torch.testing.assert_close(model.get_input_embeddings().weight[20], old[[1, 2]].mean(0))
    assert record["tied"] and "tied" in record["output_init"]

    model = _model(tied=True)
    record = resize_and_init(model, [[1, 2]], 20, untie=True)
    assert not record["tied"] and not model.config.tie_word_embeddings
    torch.testing.assert_close(model.get_output_embeddings().weight[20], old[1])


def test_token_the_base_cannot_spell_gets_the_mean_row() -> None:
    # A byte the base vocabulary lacks has no pieces; a random row would attract greedy output.
    model = _model(tied=False)
    old_in = model.get_input_embeddings().weight.detach().clone()
    old_out = model.get_output_embeddings().weight.detach().clone()
    resize_and_init(model, [[], [2]], 20, input_init="mean", output_init="first")
    torch.testing.assert_close(model.get_input_embeddings().weight[20], old_in.mean(0))
    torch.testing.assert_close(model.get_output_embeddings().weight[20], old_out.mean(0))
    torch.testing.assert_close(model.get_output_embeddings().weight[21], old_out[2])
