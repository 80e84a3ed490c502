from pathlib import Path

import pytest

from hanji.modeling import EMBEDDED, ModelResolutionError, resolve


def test_embedded_default_resolves_to_the_packaged_gguf() -> None:
    ref = resolve("smollm2-135m")
    assert ref.kind == "embedded"
    assert ref.gguf_file == EMBEDDED["smollm2-135m"].gguf_file
    assert (Path(ref.source) / ref.gguf_file).is_file()
    assert ref.name == "smollm2-135m"


def test_gguf_path_and_dir_holding_one_gguf() -> None:
    emb = resolve("smollm2-135m")
    path = Path(emb.source) / str(emb.gguf_file)
    ref = resolve(str(path))
    assert (ref.kind, ref.gguf_file) == ("gguf", path.name)
    assert ref.name == path.stem


def test_local_hf_dir(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", "utf-8")
    ref = resolve(tmp_path)
    assert ref.kind == "dir" and ref.source == str(tmp_path.resolve())
    assert ref.name == tmp_path.name


def test_hub_id_is_resolved_without_network() -> None:
    ref = resolve("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert ref.kind == "hub" and ref.source == "HuggingFaceTB/SmolLM2-360M-Instruct"


@pytest.mark.parametrize(
    ("ref", "needle"),
    [
        ("", "empty model reference"),
        ("./no/such/model", "cannot resolve model './no/such/model'"),
        ("/no/such/model.gguf", "GGUF file not found"),
        ("not a model", "not an embedded model (smollm2-135m)"),
    ],
)
def test_bad_references_say_why(ref: str, needle: str) -> None:
    with pytest.raises(ModelResolutionError, match=None) as info:
        resolve(ref)
    assert needle in str(info.value)


def test_dir_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelResolutionError, match="not a Hugging Face model dir"):
        resolve(tmp_path)
