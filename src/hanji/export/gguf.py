"""`export_gguf`: a hanji-built Hugging Face model dir → one GGUF file llama.cpp loads.

Everything GGUF-specific comes from the `gguf` package (llama.cpp's own Python library):
the writer, the tensor-name map, the vocabulary readers (`BpeVocab`, `SpecialVocab`: merges,
special token ids, chat template) and the Q8_0 quantiser. hanji adds what those leave to a
converter: which architectures map how, the pre-tokenizer identity (`pretokenizer.py`),
the token types of added tokens, and refusing what would export wrongly.

Q4_K_M is llama.cpp's own mixed quantisation (`llama_model_quantize`, through
llama-cpp-python): the `gguf` package can only dequantise K-quants.

The file is written under a temporary name next to the target and renamed at the end, so a
full disk or a crash never leaves a half-written ``.gguf`` under the final name.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hanji.export.errors import ExportError
from hanji.export.pretokenizer import llama_cpp_pre

GgufType = Literal["f16", "q8_0", "q4_k_m"]
GGUF_TYPES: tuple[str, ...] = ("f16", "q8_0", "q4_k_m")


@dataclass(frozen=True)
class _Arch:
    gguf_arch: str  # gguf.MODEL_ARCH member name
    permute_qk: bool  # HF Llama rotates halves; llama.cpp's LLAMA rope rotates pairs


# Byte-level BPE decoder-only architectures hanji's recipes name.
ARCHITECTURES: dict[str, _Arch] = {
    "LlamaForCausalLM": _Arch("LLAMA", permute_qk=True),
    "Qwen2ForCausalLM": _Arch("QWEN2", permute_qk=False),
}


@dataclass
class ExportResult:
    path: Path
    gguf_type: str
    architecture: str
    pre_tokenizer: str
    n_vocab: int
    n_tensors: int
    bytes: int
    seconds: float
    tensor_types: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "type": self.gguf_type,
            "architecture": self.architecture,
            "pre_tokenizer": self.pre_tokenizer,
            "n_vocab": self.n_vocab,
            "n_tensors": self.n_tensors,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "tensor_types": self.tensor_types,
        }


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def check_model_dir(model_dir: Path) -> tuple[dict[str, Any], dict[str, Any], _Arch]:
    """config.json, tokenizer.json and the architecture, or `ExportError` naming the cause."""
    if not model_dir.is_dir():
        raise ExportError(f"model dir not found: {model_dir}")
    if (model_dir / "adapter_config.json").is_file():
        raise ExportError(
            f"{model_dir} holds a LoRA adapter (adapter_config.json), not a merged model: "
            "merge it into its base first (peft's merge_and_unload; hanji train writes "
            "merged model dirs) and export the merged dir"
        )
    if not (model_dir / "config.json").is_file():
        raise ExportError(f"{model_dir} is not a Hugging Face model dir (no config.json)")
    config = _read_json(model_dir / "config.json")
    archs = config.get("architectures") or [config.get("model_type", "unknown")]
    arch = ARCHITECTURES.get(archs[0])
    if arch is None:
        raise ExportError(
            f"architecture {archs[0]} is not exported to GGUF by hanji; supported: "
            f"{', '.join(ARCHITECTURES)} (byte-level BPE decoder models llama.cpp runs)"
        )
    rope = config.get("rope_scaling") or config.get("rope_parameters") or {}
    if rope.get("rope_type", rope.get("type", "default")) not in ("default", None):
        raise ExportError(
            f"rope scaling '{rope.get('rope_type', rope.get('type'))}' is not exported; "
            "only the default rope is"
        )
    if not (model_dir / "tokenizer.json").is_file():
        raise ExportError(
            f"{model_dir} has no tokenizer.json: a GGUF carries its tokenizer, so export the "
            "model dir hanji wrote (tokenizer and weights together)"
        )
    tok = _read_json(model_dir / "tokenizer.json")
    model = tok.get("model", {})
    if model.get("type") != "BPE" or model.get("byte_fallback"):
        raise ExportError(
            f"the tokenizer is {model.get('type', 'unknown')}"
            f"{' with byte fallback' if model.get('byte_fallback') else ''}; the exporter "
            "writes byte-level BPE tokenizers only"
        )
    return config, tok, arch


def _weights(model_dir: Path) -> dict[str, Any]:
    """Every tensor of the dir's safetensors files, as float32 torch tensors by HF name."""
    from safetensors import safe_open

    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise ExportError(f"{model_dir} has no *.safetensors weights")
    out: dict[str, Any] = {}
    for f in files:
        with safe_open(str(f), framework="pt") as st:
            for name in st.keys():
                out[name] = st.get_tensor(name).float()
    return out


def _permute(w: Any, n_head: int) -> Any:
    """Rows of a q/k projection from rotate-half order (HF) to adjacent pairs (llama.cpp)."""
    rows = w.shape[0]
    return w.reshape(n_head, 2, rows // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _tokens(model_dir: Path, tok_json: dict[str, Any], n_vocab: int) -> tuple[list[str], list[int]]:
    """Token texts in id order and their llama.cpp types, padded to the model's rows."""
    import gguf
    from gguf.vocab import BpeVocab

    vocab = BpeVocab(model_dir)
    texts = [str(t) for t, _, _ in vocab.all_tokens()]
    types = [int(gguf.TokenType.NORMAL)] * len(texts)
    for added in tok_json.get("added_tokens", []):
        i = int(added["id"])
        if i >= len(texts):
            continue
        # Added tokens are matched on raw text before BPE, specials are control tokens.
        texts[i] = added["content"]
        types[i] = int(
            gguf.TokenType.CONTROL if added.get("special") else gguf.TokenType.USER_DEFINED
        )
    if len(texts) > n_vocab:
        raise ExportError(
            f"the tokenizer has {len(texts)} tokens but the model only {n_vocab} embedding rows"
        )
    for i in range(len(texts), n_vocab):  # rows the tokenizer never produces
        texts.append(f"[PAD{i}]")
        types.append(int(gguf.TokenType.UNUSED))
    return texts, types


def _adds(model_dir: Path) -> tuple[bool, bool]:
    """Whether the HF tokenizer adds BOS / EOS to plain text, read from its behaviour."""
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(model_dir))
    ids = hf("가", add_special_tokens=True)["input_ids"]
    bare = hf("가", add_special_tokens=False)["input_ids"]
    bos = hf.bos_token_id is not None and len(ids) > len(bare) and ids[0] == hf.bos_token_id
    eos = hf.eos_token_id is not None and len(ids) > len(bare) and ids[-1] == hf.eos_token_id
    return bos, eos


KEEP_F16 = frozenset({"token_embd.weight", "output.weight"})
"""Matrices a q8_0 file keeps in f16: the embeddings and the output head (one matrix when
tied). They decide the argmax at every step: on the quickstart model, with them in Q8_0 too,
greedy 32-token generations equalled transformers' on 4/10 prompts (2/10 on an earlier
build); with them in f16, 8/10, for a file 19 % larger (176 vs 147 MB); docs/serving.md."""


def _tensor_type(name: str, data: Any, wanted: str) -> str:
    """f32 for 1-D tensors (norms, biases), else f16 or q8_0 (f16 where rows don't fit Q8_0,
    and for the embeddings and output head: `KEEP_F16`)."""
    if data.ndim < 2:
        return "f32"
    if wanted == "q8_0" and data.shape[-1] % 32 == 0 and name not in KEEP_F16:
        return "q8_0"
    return "f16"


def _write_f16_or_q8(
    model_dir: Path, out_tmp: Path, wanted: str, name: str | None, *, progress: bool
) -> tuple[str, str, int, dict[str, int], int]:
    import gguf
    import numpy as np

    config, tok_json, arch = check_model_dir(model_dir)
    pre = llama_cpp_pre(tok_json)
    gguf_arch = getattr(gguf.MODEL_ARCH, arch.gguf_arch)
    arch_name = gguf.MODEL_ARCH_NAMES[gguf_arch]
    n_layer = int(config["num_hidden_layers"])
    n_head = int(config["num_attention_heads"])
    n_head_kv = int(config.get("num_key_value_heads") or n_head)
    hidden = int(config["hidden_size"])
    head_dim = int(config.get("head_dim") or hidden // n_head)
    n_vocab = int(config["vocab_size"])
    rope = config.get("rope_parameters") or {}
    rope_theta = float(rope.get("rope_theta", config.get("rope_theta", 10000.0)))
    tied = bool(config.get("tie_word_embeddings", False))

    weights = _weights(model_dir)
    tmap = gguf.get_tensor_name_map(gguf_arch, n_layer)
    w = gguf.GGUFWriter(str(out_tmp), arch_name)
    w.add_type(gguf.GGUFType.MODEL)
    w.add_name(name or model_dir.name)
    w.add_context_length(int(config.get("max_position_embeddings", 2048)))
    w.add_embedding_length(hidden)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(int(config["intermediate_size"]))
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    if head_dim != hidden // n_head:
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(rope_theta)
    w.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
    w.add_vocab_size(n_vocab)
    ftype = gguf.LlamaFileType.MOSTLY_Q8_0 if wanted == "q8_0" else gguf.LlamaFileType.MOSTLY_F16
    w.add_file_type(int(ftype))
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    texts, types = _tokens(model_dir, tok_json, n_vocab)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(texts)
    w.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=n_vocab)
    if not special.merges:
        raise ExportError(f"{model_dir}/tokenizer.json has no BPE merges")
    bos, eos = _adds(model_dir)
    special.add_special_token["bos"] = bos
    special.add_special_token["eos"] = eos
    special.add_to_gguf(w, quiet=True)

    counts: dict[str, int] = {}
    for hf_name, tensor in weights.items():
        if hf_name == "lm_head.weight" and tied:
            continue  # llama.cpp reads a missing output matrix as the tied embeddings
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        gname = tmap.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gname is None:
            raise ExportError(f"tensor {hf_name} has no GGUF name for {archs_of(config)}")
        if arch.permute_qk and hf_name.endswith("q_proj.weight"):
            tensor = _permute(tensor, n_head)
        elif arch.permute_qk and hf_name.endswith("k_proj.weight"):
            tensor = _permute(tensor, n_head_kv)
        data = tensor.numpy()
        kind = _tensor_type(gname, data, wanted)
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "f32":
            w.add_tensor(gname, data.astype(np.float32))
        elif kind == "f16":
            w.add_tensor(gname, data.astype(np.float16))
        else:
            qtype = gguf.GGMLQuantizationType.Q8_0
            w.add_tensor(gname, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file(progress=progress)
    w.close()
    return archs_of(config), pre, n_vocab, counts, sum(counts.values())


def archs_of(config: dict[str, Any]) -> str:
    return (config.get("architectures") or ["unknown"])[0]


def _quantize_q4_k_m(src: Path, dst: Path) -> None:
    """llama.cpp's own Q4_K_M quantiser over an f16 GGUF (needs llama-cpp-python)."""
    from hanji.export.llamacpp import quantize

    quantize(src, dst, "q4_k_m")


def export_gguf(
    model_dir: str | Path,
    out: str | Path,
    *,
    gguf_type: str = "f16",
    name: str | None = None,
    progress: bool = False,
) -> ExportResult:
    """Write ``model_dir`` as one GGUF file at ``out`` (atomically: temp file, then rename)."""
    t0 = time.perf_counter()
    model_dir, out = Path(model_dir), Path(out)
    if gguf_type not in GGUF_TYPES:
        raise ExportError(f"--type must be one of {', '.join(GGUF_TYPES)}, got '{gguf_type}'")
    check_model_dir(model_dir)  # every refusal before any file is created
    out.parent.mkdir(parents=True, exist_ok=True)
    # Unique names beside the target (same file system, so the rename is atomic), created
    # by the writer with the usual permissions, unlike mkstemp's 0600.
    stem = f".{out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp = out.parent / f"{stem}.part"
    f16_tmp: Path | None = None
    try:
        if gguf_type == "q4_k_m":
            f16_tmp = out.parent / f"{stem}.f16.part"
            arch, pre, n_vocab, _, n_tensors = _write_f16_or_q8(
                model_dir, f16_tmp, "f16", name, progress=progress
            )
            _quantize_q4_k_m(f16_tmp, tmp)
            counts = _tensor_counts(tmp)
        else:
            arch, pre, n_vocab, counts, n_tensors = _write_f16_or_q8(
                model_dir, tmp, gguf_type, name, progress=progress
            )
        os.replace(tmp, out)
    except OSError as exc:
        raise ExportError(f"could not write {out}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp, f16_tmp):
            if leftover is not None and leftover.exists():
                leftover.unlink()
    return ExportResult(
        out,
        gguf_type,
        arch,
        pre,
        n_vocab,
        n_tensors,
        out.stat().st_size,
        time.perf_counter() - t0,
        counts,
    )


def _tensor_counts(path: Path) -> dict[str, int]:
    import gguf

    counts: dict[str, int] = {}
    for t in gguf.GGUFReader(path).tensors:
        key = t.tensor_type.name.lower()
        counts[key] = counts.get(key, 0) + 1
    return counts
