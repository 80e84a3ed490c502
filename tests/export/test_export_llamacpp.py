"""The exported GGUF judged by llama.cpp itself (llama-cpp-python): tokenization, greedy
generation and bits per character against transformers on the same model dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_models import heldout_docs, heldout_lines

from engines import needs_llama_cpp
from hanji.export.gguf import export_gguf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(ko_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    needs_llama_cpp()
    out = tmp_path_factory.mktemp("llamacpp")
    return {
        kind: export_gguf(ko_model_dir, out / f"ko.{kind}.gguf", gguf_type=kind).path
        for kind in ("f16", "q8_0", "q4_k_m")
    }


def test_llama_cpp_tokenizes_200_korean_lines_as_the_hf_tokenizer(
    ko_model_dir: Path, exported: dict[str, Path]
) -> None:
    from transformers import AutoTokenizer

    from hanji.export.llamacpp import load
    from hanji.export.verify import check_tokenization

    lines = heldout_lines()[:200]
    assert len(lines) == 200
    hf = AutoTokenizer.from_pretrained(str(ko_model_dir))
    llm = load(exported["f16"], n_ctx=64)
    try:
        result = check_tokenization(hf, llm, lines)
    finally:
        llm.close()
    assert (result.equal, result.mismatches) == (200, [])


def test_greedy_generation_f16_equals_transformers(
    ko_model_dir: Path, exported: dict[str, Path]
) -> None:
    from hanji.export.verify import verify_gguf

    prompts = [line[:30] for line in heldout_lines()[:10]]
    f16 = verify_gguf(ko_model_dir, exported["f16"], lines=[], prompts=prompts, window=512)
    assert (f16.greedy_equal, f16.greedy_total) == (10, 10)
    assert f16.greedy_margins == [] and f16.to_dict()["greedy_divergence_margins"] == []


def test_divergence_margin_is_the_fp32_logit_gap_at_the_first_difference(
    ko_model_dir: Path,
) -> None:
    """Where llama.cpp's greedy text first differs, the margin is transformers' logit of its
    own token minus that of the other one: the top-2 gap when the other took the runner-up."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hanji.export.verify import divergence_margin, hf_greedy

    tok = AutoTokenizer.from_pretrained(str(ko_model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(ko_model_dir), dtype="float32").eval()
    ids = list(tok(heldout_lines()[0][:30])["input_ids"])
    ref = hf_greedy(model, tok, ids, 8)
    assert len(ref) > 3
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids + ref[:3]])).logits[0, -1]
    top = torch.topk(logits, 2)
    assert int(top.indices[0]) == ref[3]
    flipped = [*ref[:3], int(top.indices[1]), *ref[4:]]
    margin = divergence_margin(model, ids, ref, flipped)
    assert margin == pytest.approx(float(top.values[0] - top.values[1]), abs=1e-5)
    assert margin > 0
    assert divergence_margin(model, ids, ref, list(ref)) is None
    assert divergence_margin(model, ids, ref, ref[:2]) is None  # stopped early: no token to compare


def test_q8_0_scores_as_its_own_weights_do_in_transformers(
    exported: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llama.cpp running the Q8_0 file vs transformers running the same Q8_0 weights
    (de-quantised by its GGUF loader): BPC within 1 %. Greedy text is not compared on this
    toy: its large random weights amplify llama.cpp's 8-bit rounding of activations into
    other argmaxes (measured 1/10 equal); on the quickstart model q8_0 greedy output is
    compared in docs/serving.md."""
    from hanji.export.verify import verify_gguf
    from hanji.modeling.load import materialize

    monkeypatch.setenv("HANJI_CACHE", str(tmp_path))
    reference = materialize(str(exported["q8_0"])).source
    docs = heldout_docs()[:6]
    result = verify_gguf(
        reference, exported["q8_0"], lines=[], prompts=[], bpc_texts=docs, window=256
    )
    assert result.bpc_rel_diff is not None and result.bpc_rel_diff < 0.01


def test_bits_per_character_from_llama_cpp_logits_within_one_percent(
    ko_model_dir: Path, exported: dict[str, Path]
) -> None:
    from hanji.export.verify import verify_gguf

    docs = heldout_docs()[:6]
    result = verify_gguf(
        ko_model_dir, exported["f16"], lines=[], prompts=[], bpc_texts=docs, window=256
    )
    assert result.chars == sum(len(d) for d in docs)
    assert result.bpc_rel_diff is not None and result.bpc_rel_diff < 0.01


def test_q4_k_m_is_quantised_by_llama_cpp_and_loads(exported: dict[str, Path]) -> None:
    import gguf

    from hanji.export.llamacpp import load

    r = gguf.GGUFReader(exported["q4_k_m"])
    assert r.fields["general.file_type"].contents() == int(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    assert exported["q4_k_m"].stat().st_size < exported["q8_0"].stat().st_size
    llm = load(exported["q4_k_m"], n_ctx=64)
    try:
        assert llm.tokenize("한지".encode(), add_bos=False)
    finally:
        llm.close()


def test_qwen2_tokenization_and_greedy_match(qwen_model_dir: Path, tmp_path: Path) -> None:
    needs_llama_cpp()
    from hanji.export.verify import verify_gguf

    path = export_gguf(qwen_model_dir, tmp_path / "q.f16.gguf").path
    lines = heldout_lines()[:200]
    result = verify_gguf(
        qwen_model_dir, path, lines=lines, prompts=[x[:30] for x in lines[:5]], window=256
    )
    assert (result.tokens_equal, result.greedy_equal) == (200, 5)
