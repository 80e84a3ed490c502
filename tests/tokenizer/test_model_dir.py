"""End to end on a toy model that carries SmolLM2's tokenizer: the saved dir loads and
its new rows follow the EEVE rules."""

import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)
from typer.testing import CliRunner

from hanji.modeling import load_tokenizer
from hanji.tokenizer.cli import app
from hanji.tokenizer.model_dir import EXTENSION_FILE, extend_model


def _toy_dir(tmp_path: Path, tied: bool) -> Path:
    tok = load_tokenizer("smollm2-135m")
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=8,
        intermediate_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        tie_word_embeddings=tied,
    )
    path = tmp_path / f"toy-{'tied' if tied else 'untied'}"
    LlamaForCausalLM(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.mark.parametrize("tied", [True, False])
def test_saved_dir_loads_with_new_rows_initialised(
    tmp_path: Path, corpus: list[str], tied: bool
) -> None:
    base_dir = _toy_dir(tmp_path, tied)
    base = AutoModelForCausalLM.from_pretrained(base_dir)
    base_in = base.get_input_embeddings().weight.detach().clone()
    base_out = base.get_output_embeddings().weight.detach().clone()
    base_tok = AutoTokenizer.from_pretrained(base_dir)

    out = tmp_path / "out"
    result = extend_model(str(base_dir), corpus, out, n_new=200, must_have=["갓생"])
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    record = json.loads((out / EXTENSION_FILE).read_text("utf-8"))

    n = result.new_vocab_size
    assert len(tok) == n == base_in.shape[0] + result.n_new_tokens
    assert model.get_input_embeddings().weight.shape[0] == n
    assert model.get_output_embeddings().weight.shape[0] == n
    assert record["embeddings"]["new_token_ids"] == [base_in.shape[0], n]
    assert record["embeddings"]["tied"] is tied
    w_in = model.get_input_embeddings().weight.detach()
    w_out = model.get_output_embeddings().weight.detach()
    assert torch.equal(w_in[: base_in.shape[0]], base_in)
    assert torch.equal(w_out[: base_out.shape[0]], base_out)

    word = tok.convert_ids_to_tokens(tok(" 갓생", add_special_tokens=False)["input_ids"])
    assert len(word) == 1
    new_id = tok.convert_tokens_to_ids(word[0])
    pieces = base_tok(" 갓생", add_special_tokens=False)["input_ids"]
    assert len(pieces) > 1 and new_id >= base_in.shape[0]
    torch.testing.assert_close(w_in[new_id], base_in[pieces].mean(0))
    torch.testing.assert_close(
        w_out[new_id], base_out[pieces].mean(0) if tied else base_out[pieces[0]]
    )

    with torch.no_grad():
        ids = tok("오늘도 갓생을 산다.", return_tensors="pt")["input_ids"]
        logits = model(ids).logits
    assert logits.shape == (1, ids.shape[1], n) and torch.isfinite(logits).all()


def test_untie_gives_separate_matrices(tmp_path: Path, corpus: list[str]) -> None:
    out = tmp_path / "out"
    extend_model(str(_toy_dir(tmp_path, True)), corpus, out, n_new=50, untie=True)
    model = AutoModelForCausalLM.from_pretrained(out)
    assert not model.config.tie_word_embeddings
    w_in, w_out = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    assert w_in.data_ptr() != w_out.data_ptr() and not torch.equal(w_in[-50:], w_out[-50:])


def test_non_byte_level_base_is_refused_clearly(tmp_path: Path, corpus: list[str]) -> None:
    backend = Tokenizer(models.Unigram([("<unk>", 0.0), ("▁", -1.0), ("가", -2.0)], 0))
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    path = tmp_path / "unigram"
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>").save_pretrained(path)
    cfg = LlamaConfig(vocab_size=3, hidden_size=8, num_hidden_layers=1, num_attention_heads=2)
    cfg.save_pretrained(path)
    texts = tmp_path / "c.txt"
    texts.write_text("\n\n".join(corpus), "utf-8")
    result = CliRunner().invoke(
        app, ["extend", "--base", str(path), "--corpus", str(texts), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "byte-level BPE tokenizers only" in result.output and "Unigram" in result.output
    assert not (tmp_path / "o").exists()
