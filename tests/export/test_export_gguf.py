"""GGUF export: the file carries the model and its whole tokenizer; bad input is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gguf
import pytest
import torch
from export_models import heldout_lines
from typer.testing import CliRunner

from hanji.cli import app
from hanji.export.errors import ExportError
from hanji.export.gguf import export_gguf


def _field(reader: gguf.GGUFReader, key: str) -> object:
    return reader.fields[key].contents()


@pytest.fixture(scope="module")
def ko_f16(ko_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gguf") / "ko.f16.gguf"
    export_gguf(ko_model_dir, out, gguf_type="f16")
    return out


def test_the_tokenizer_survives_with_hanji_s_extended_vocabulary(
    ko_model_dir: Path, ko_f16: Path
) -> None:
    spec = json.loads((ko_model_dir / "tokenizer.json").read_text("utf-8"))
    ext = json.loads((ko_model_dir / "hanji_vocab.json").read_text("utf-8"))
    config = json.loads((ko_model_dir / "config.json").read_text("utf-8"))
    r = gguf.GGUFReader(ko_f16)
    tokens = _field(r, "tokenizer.ggml.tokens")
    types = _field(r, "tokenizer.ggml.token_type")
    assert len(tokens) == config["vocab_size"] == ext["base_vocab_size"] + ext["n_new_tokens"]
    # every appended Korean token at its id, a normal BPE token; its merges all there, in order
    vocab = spec["model"]["vocab"]
    for token in ext["new_tokens"]:
        assert tokens[vocab[token]] == token
        assert types[vocab[token]] == gguf.TokenType.NORMAL
    merges = _field(r, "tokenizer.ggml.merges")
    assert len(merges) == len(spec["model"]["merges"])
    assert merges[-len(ext["merges"]) :] == [" ".join(m) for m in ext["merges"]]
    # specials are control tokens; BOS/EOS ids and the chat template as the HF dir has them
    for added in spec["added_tokens"]:
        assert tokens[added["id"]] == added["content"]
        assert types[added["id"]] == gguf.TokenType.CONTROL
    cfg = json.loads((ko_model_dir / "tokenizer_config.json").read_text("utf-8"))
    tmpl = (ko_model_dir / "chat_template.jinja").read_text("utf-8")
    assert _field(r, "tokenizer.chat_template") == cfg.get("chat_template", tmpl)
    assert _field(r, "tokenizer.ggml.eos_token_id") == vocab[cfg["eos_token"]]
    assert _field(r, "tokenizer.ggml.bos_token_id") == vocab[cfg["bos_token"]]
    assert _field(r, "tokenizer.ggml.add_bos_token") is False  # SmolLM2 adds no BOS
    # hanji's HF tokenizer splits like GPT-2 (no per-digit split, unlike the GGUF it came from)
    assert _field(r, "tokenizer.ggml.pre") == "gpt-2"
    assert _field(r, "tokenizer.ggml.model") == "gpt2"


def test_tied_embeddings_write_no_output_matrix_and_norms_stay_f32(ko_f16: Path) -> None:
    r = gguf.GGUFReader(ko_f16)
    kinds = {t.name: t.tensor_type for t in r.tensors}
    assert "output.weight" not in kinds  # llama.cpp reads the tied token_embd
    assert kinds["token_embd.weight"] == gguf.GGMLQuantizationType.F16
    assert kinds["blk.0.attn_norm.weight"] == gguf.GGMLQuantizationType.F32
    assert _field(r, "llama.block_count") == 2


def test_q8_0_quantises_every_matrix_but_the_embeddings(ko_model_dir: Path, tmp_path: Path) -> None:
    result = export_gguf(ko_model_dir, tmp_path / "ko.q8_0.gguf", gguf_type="q8_0")
    r = gguf.GGUFReader(result.path)
    kinds = {t.name: t.tensor_type for t in r.tensors if len(t.shape) > 1 and t.shape[1] > 1}
    assert kinds.pop("token_embd.weight") == gguf.GGMLQuantizationType.F16
    assert kinds and set(kinds.values()) == {gguf.GGMLQuantizationType.Q8_0}
    assert result.tensor_types["q8_0"] == len(kinds)


def _logits(model: torch.nn.Module, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return model(torch.tensor([ids])).logits[0].float()


def test_transformers_gguf_loader_reads_it_back(ko_model_dir: Path, ko_f16: Path) -> None:
    """transformers' own GGUF loader (the path hanji loads the embedded base by): the same
    token ids, and logits within 2e-3 of their spread (measured here: ~1e-4; the weights
    are f16-exact, so what differs is f16 rounding of nothing but the computation order)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = AutoModelForCausalLM.from_pretrained(ko_model_dir, dtype=torch.float32).eval()
    back = AutoModelForCausalLM.from_pretrained(
        ko_f16.parent, gguf_file=ko_f16.name, dtype=torch.float32
    ).eval()
    tok = AutoTokenizer.from_pretrained(ko_model_dir)
    tok_back = AutoTokenizer.from_pretrained(ko_f16.parent, gguf_file=ko_f16.name)
    lines = heldout_lines()[:20]
    assert [tok_back(t)["input_ids"] for t in lines] == [tok(t)["input_ids"] for t in lines]
    ids = tok(" ".join(lines[:3]))["input_ids"][:200]
    a, b = _logits(src, ids), _logits(back, ids)
    assert float((a - b).abs().max() / a.std()) < 2e-3


def test_q8_0_weights_read_back_within_one_quantisation_step(
    ko_model_dir: Path, tmp_path: Path
) -> None:
    """Q8_0 keeps each block of 32 weights as int8 times one scale (amax / 127): read back by
    transformers, no weight is further than one step from the source."""
    from transformers import AutoModelForCausalLM

    path = export_gguf(ko_model_dir, tmp_path / "ko.q8_0.gguf", gguf_type="q8_0").path
    src = AutoModelForCausalLM.from_pretrained(ko_model_dir, dtype=torch.float32).state_dict()
    back = AutoModelForCausalLM.from_pretrained(
        tmp_path, gguf_file=path.name, dtype=torch.float32
    ).state_dict()
    checked = 0
    for name, w in src.items():
        if w.ndim < 2:
            assert torch.equal(back[name], w), name
            continue
        if "embed_tokens" in name or name == "lm_head.weight":  # f16: KEEP_F16
            assert torch.equal(back[name], w.half().float()), name
            continue
        step = w.abs().amax(dim=-1, keepdim=True) / 127
        assert bool(((back[name] - w).abs() <= step * 1.01).all()), name
        assert not torch.equal(back[name], w)  # it was quantised
        checked += 1
    assert checked >= 14


def test_qwen2_exports_with_its_own_pre_tokenizer(qwen_model_dir: Path, tmp_path: Path) -> None:
    result = export_gguf(qwen_model_dir, tmp_path / "q.gguf", gguf_type="f16")
    r = gguf.GGUFReader(result.path)
    assert gguf.GGUFReader(result.path).fields["general.architecture"].contents() == "qwen2"
    assert _field(r, "tokenizer.ggml.pre") == "qwen2"
    names = {t.name for t in r.tensors}
    assert {"blk.0.attn_q.bias", "output.weight"} <= names  # biases and an untied head


# -- bad input --------------------------------------------------------------------------------


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_no_tokenizer_is_refused(ko_model_dir: Path, tmp_path: Path) -> None:
    d = _copy(ko_model_dir, tmp_path / "m")
    (d / "tokenizer.json").unlink()
    with pytest.raises(ExportError, match=r"no tokenizer\.json"):
        export_gguf(d, tmp_path / "x.gguf")
    assert not list(tmp_path.glob("*.gguf*"))


def test_an_architecture_llama_cpp_is_not_given_is_refused(
    ko_model_dir: Path, tmp_path: Path
) -> None:
    d = _copy(ko_model_dir, tmp_path / "m")
    config = json.loads((d / "config.json").read_text("utf-8"))
    config["architectures"] = ["GPTNeoXForCausalLM"]
    (d / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(ExportError, match="architecture GPTNeoXForCausalLM"):
        export_gguf(d, tmp_path / "x.gguf")


def test_an_unmerged_lora_dir_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "lora"
    d.mkdir()
    (d / "adapter_config.json").write_text('{"peft_type": "LORA"}', "utf-8")
    (d / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(ExportError, match=r"LoRA adapter .* not a merged model"):
        export_gguf(d, tmp_path / "x.gguf")


@pytest.mark.parametrize(
    ("pre", "normalizer", "match"),
    [
        ({"type": "Metaspace", "replacement": "▁"}, None, "no pre-tokenizer known"),
        ({"type": "ByteLevel", "add_prefix_space": True, "use_regex": True}, None, "ByteLevel"),
        ({"type": "ByteLevel", "use_regex": True}, {"type": "NFKC"}, "normalizer"),
    ],
)
def test_a_pre_tokenizer_llama_cpp_does_not_know_is_refused(
    ko_model_dir: Path, tmp_path: Path, pre: dict, normalizer: dict | None, match: str
) -> None:
    d = _copy(ko_model_dir, tmp_path / "m")
    spec = json.loads((d / "tokenizer.json").read_text("utf-8"))
    spec["pre_tokenizer"], spec["normalizer"] = pre, normalizer
    (d / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    with pytest.raises(ExportError, match=match):
        export_gguf(d, tmp_path / "x.gguf")
    assert not (tmp_path / "x.gguf").exists()


def test_a_full_disk_leaves_no_half_written_file_and_keeps_the_old_one(
    ko_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "model.gguf"
    out.write_bytes(b"the previous good export")

    def full(self: gguf.GGUFWriter, *, progress: bool = False) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensors_to_file", full)
    with pytest.raises(ExportError, match="No space left on device"):
        export_gguf(ko_model_dir, out)
    assert out.read_bytes() == b"the previous good export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.gguf"]


def test_cli_writes_the_file_and_reports_errors(ko_model_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.q8_0.gguf"
    ok = runner.invoke(
        app, ["export", "gguf", str(ko_model_dir), "--out", str(out), "--type", "q8_0"]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout.strip().splitlines()[-1])["type"] == "q8_0"
    assert gguf.GGUFReader(out).fields["general.file_type"].contents() == 7  # MOSTLY_Q8_0
    bad = runner.invoke(app, ["export", "gguf", str(tmp_path), "--out", str(tmp_path / "y.gguf")])
    assert bad.exit_code == 2 and "no config.json" in bad.output
    wrong = runner.invoke(
        app, ["export", "gguf", str(ko_model_dir), "--out", str(out), "--type", "q2"]
    )
    assert wrong.exit_code == 2 and "--type must be one of f16, q8_0, q4_k_m" in wrong.output
