"""The command contract other tools depend on, driven through the real Typer app."""

import json

from typer.testing import CliRunner

from hanji.cli import app


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_cpt_stop_after_then_resume(toy_model_dir, korean_jsonl, tmp_path) -> None:
    out = tmp_path / "cpt"
    common = ["train", "cpt", "--model", str(toy_model_dir), "--data", str(korean_jsonl)]
    common += ["--out", str(out), "--steps", "4", "--seq-len", "32", "--batch-size", "2"]
    common += ["--lr", "1e-3", "--seed", "3"]
    _invoke([*common, "--stop-after", "2"])
    assert (out / "checkpoints" / "last.pt").is_file()
    assert not (out / "training_summary.json").exists()
    _invoke([*common, "--resume"])
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["completed"] and summary["steps"] == 4
    assert summary["tokens_seen"] == 4 * 2 * 32


def test_sft_full_and_lora(toy_model_dir, tmp_path) -> None:
    data = tmp_path / "chat.jsonl"
    conv = {
        "messages": [
            {"role": "user", "content": "갓생이 뭐예요?"},
            {"role": "assistant", "content": "계획을 세워 부지런히 사는 생활이에요."},
        ]
    }
    data.write_text(json.dumps(conv, ensure_ascii=False) + "\n", "utf-8")
    for extra in ([], ["--lora"]):
        out = tmp_path / ("sft" + "".join(extra))
        args = ["train", "sft", "--model", str(toy_model_dir), "--data", str(data)]
        args += ["--out", str(out), "--steps", "2", "--seq-len", "64", "--batch-size", "2"]
        _invoke([*args, "--lr", "1e-3", "--seed", "0", *extra])
        assert json.loads((out / "training_summary.json").read_text())["steps"] == 2


def test_shipped_accelerate_configs_parse() -> None:
    from pathlib import Path

    import yaml

    configs = sorted((Path(__file__).parents[2] / "configs" / "accelerate").glob("*.yaml"))
    assert {c.name for c in configs} >= {"single_gpu.yaml", "multi_gpu_fsdp.yaml"}
    for path in configs:
        text = path.read_text("utf-8")
        assert text.startswith("# Launch: accelerate launch --config_file"), path
        cfg = yaml.safe_load(text)
        assert cfg["mixed_precision"] == "bf16" and cfg["num_processes"] >= 1, path
        if cfg["distributed_type"] == "FSDP":
            assert cfg["fsdp_config"]["fsdp_use_orig_params"] is True, path  # frozen params


def test_a_bad_budget_is_refused_by_name(toy_model_dir, korean_jsonl, tmp_path) -> None:
    args = ["train", "cpt", "--model", str(toy_model_dir), "--data", str(korean_jsonl)]
    args += ["--out", str(tmp_path / "o"), "--budget", "ten minutes"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "budget 'ten minutes' is not a duration" in " ".join(result.output.split())
