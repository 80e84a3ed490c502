"""`hanji eval run` end to end on tiny Llama model dirs, plus generations and lm-eval interop."""

import json

import pytest
from typer.testing import CliRunner

from hanji.evaluate.cli import app
from hanji.evaluate.generate import GenerationSpec, generate_answers, render_prompt
from hanji.evaluate.lmeval import lm_eval_command

HELDOUT = [
    {"text": "한지는 닥나무 껍질로 만든 종이다.", "domain": "textbook"},
    {"text": "요즘은 갓생을 산다는 말을 자주 듣는다.", "domain": "neologism"},
]


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory, toy_llama, smol_tokenizer):
    root = tmp_path_factory.mktemp("models")
    dirs = []
    for seed in (0, 1):
        path = root / f"m{seed}"
        toy_llama(len(smol_tokenizer), seed=seed).save_pretrained(path)
        smol_tokenizer.save_pretrained(path)
        dirs.append(path)
    summary = {
        "steps": 2,
        "losses": [{"step": 1, "loss": 9.0}, {"step": 2, "loss": 8.0}],
        "stages": [{"kind": "full", "steps": 2, "ended_at_step": 2}],
    }
    (dirs[0] / "training_summary.json").write_text(json.dumps(summary), "utf-8")
    return dirs


def _suite(tmp_path) -> str:
    held = tmp_path / "held.jsonl"
    held.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HELDOUT), "utf-8")
    copa = tmp_path / "kobest_copa.jsonl"
    copa.write_text(
        json.dumps(
            {
                "premise": "길이 얼었다.",
                "question": "결과",
                "alternative_1": "미끄러졌다.",
                "alternative_2": "더웠다.",
                "label": 0,
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )
    suite = tmp_path / "tiny.toml"
    suite.write_text(
        'heldout = ["held.jsonl"]\ntasks = ["kobest_copa.jsonl"]\n'
        '[generations]\nprompts = ["안녕하세요?"]\nmax_new_tokens = 3\n',
        "utf-8",
    )
    return str(suite)


def test_eval_run_writes_results_and_report(tmp_path, model_dirs) -> None:
    out = tmp_path / "out"
    args = ["run", "--model", str(model_dirs[0]), "--baseline", str(model_dirs[1])]
    result = CliRunner().invoke(app, [*args, "--suite", _suite(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert set(results) >= {"suite", "model", "baseline", "delta", "training"}
    m = results["model"]
    assert set(m["bpc_by_domain"]) == {"textbook", "neologism"} and m["bpc"] > 0
    assert m["tasks"]["per_task"]["kobest_copa"]["n"] == 1
    assert m["generations"][0]["prompt"] == "안녕하세요?" and m["generations"][0]["chat"]
    assert {"bpc", "tasks_macro_acc", "tasks"} <= set(results["delta"])
    assert (out / "report.html").is_file() and (out / "figures" / "training_loss.png").is_file()
    again = tmp_path / "again"
    result = CliRunner().invoke(app, ["report", "--results", str(out), "--out", str(again)])
    assert result.exit_code == 0 and (again / "report.md").is_file()
    assert (again / "report.html").read_text("utf-8") == (out / "report.html").read_text("utf-8")


def test_eval_run_precision_is_applied_and_recorded(tmp_path, model_dirs) -> None:
    """fp32 and bf16 autocast score the same text within a hundredth of a bit per char."""
    bpc = {}
    for precision in ("fp32", "bf16"):
        out = tmp_path / precision
        args = ["run", "--model", str(model_dirs[0]), "--suite", _suite(tmp_path)]
        args += ["--out", str(out), "--no-report", "--precision", precision]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        results = json.loads((out / "results.json").read_text("utf-8"))
        assert results["suite"]["precision"] == precision
        assert results["model"]["precision"] == precision
        bpc[precision] = results["model"]["bpc"]
    assert bpc["bf16"] == pytest.approx(bpc["fp32"], abs=0.01)
    result = CliRunner().invoke(
        app,
        ["run", "--model", str(model_dirs[0]), "--out", str(tmp_path / "x"), "--precision", "fp8"],
    )
    assert result.exit_code == 2 and "auto, fp32 or bf16" in result.output


NEWS = "대전시는 공공자전거 대여소를 늘린다고 밝혔다."
LIT = ("바람이 불었다.", "강물은 말없이 흘렀고 나룻배 한 척이 천천히 건너왔다.")


def test_eval_bpc_json_contract(tmp_path, model_dirs) -> None:
    # {"bpc", "per_file"} and nothing else; overall = total bits / total characters, which
    # is the character-weighted mean of the per-file figures (not their plain mean).
    news, lit = tmp_path / "news.jsonl", tmp_path / "lit.txt"
    news.write_text(json.dumps({"text": NEWS}), "utf-8")
    lit.write_text("\n\n".join(LIT), "utf-8")  # a .txt file: one document per paragraph
    args = ["bpc", "--model", str(model_dirs[0]), "--text", str(news), str(lit), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"bpc", "per_file"} and set(out["per_file"]) == {str(news), str(lit)}
    chars = {str(news): len(NEWS), str(lit): sum(map(len, LIT))}
    total_bits = sum(out["per_file"][f] * n for f, n in chars.items())
    assert out["bpc"] == pytest.approx(total_bits / sum(chars.values()), rel=1e-9)
    assert out["per_file"][str(news)] != pytest.approx(out["per_file"][str(lit)], rel=1e-3)
    repeated = ["bpc", "--model", str(model_dirs[0]), "--text", str(news), "--text", str(lit)]
    again = json.loads(CliRunner().invoke(app, [*repeated, "--json"]).stdout)
    assert again == out


def test_eval_bpc_refuses_a_file_without_text(tmp_path, model_dirs) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", "utf-8")
    result = CliRunner().invoke(app, ["bpc", "--model", str(model_dirs[0]), "--text", str(empty)])
    assert result.exit_code == 2 and "no text to score" in result.output


def test_eval_run_reports_bad_suites_and_missing_probe(tmp_path, model_dirs) -> None:
    args = ["run", "--model", str(model_dirs[0]), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, [*args, "--suite", "nope"])
    assert result.exit_code == 2 and "unknown built-in suite" in result.output
    missing = tmp_path / "probe.jsonl"
    result = CliRunner().invoke(app, [*args, "--suite", _suite(tmp_path), "--probe", str(missing)])
    assert result.exit_code == 2 and "no such probe file" in result.output


def test_eval_tasks_json(model_dirs, tmp_path) -> None:
    _suite(tmp_path)
    args = ["tasks", "--model", str(model_dirs[0]), "--task", str(tmp_path / "kobest_copa.jsonl")]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["n"] == 1 and summary["per_task"]["kobest_copa"]["format"] == "kobest_copa"


def test_generations_are_greedy_and_use_the_chat_template(toy) -> None:
    model, tok = toy
    spec = GenerationSpec(prompts=["한지는 무엇인가요?"], max_new_tokens=4)
    first, second = generate_answers(model, tok, spec), generate_answers(model, tok, spec)
    assert first[0]["output"] == second[0]["output"] and first[0]["new_tokens"] <= 4
    text, used = render_prompt(tok, "한지는 무엇인가요?")
    assert used and "<|im_start|>user\n한지는 무엇인가요?" in text
    assert render_prompt(tok, "한지?", chat=False) == ("질문: 한지?\n답변:", False)


def test_lm_eval_command_and_missing_harness(tmp_path, monkeypatch) -> None:
    cmd = lm_eval_command(str(tmp_path), ["kobest_boolq", "kobest_copa"], num_fewshot=5, limit=10)
    assert cmd[1:] == [
        "-m",
        "lm_eval",
        "--model",
        "hf",
        "--model_args",
        f"pretrained={tmp_path}",
        "--tasks",
        "kobest_boolq,kobest_copa",
        "--batch_size",
        "auto",
        "--num_fewshot",
        "5",
        "--limit",
        "10",
    ]
    monkeypatch.setattr("hanji.evaluate.lmeval.lm_eval_available", lambda: False)
    result = CliRunner().invoke(app, ["lm-eval", "--model", str(tmp_path)])
    assert result.exit_code == 2 and "pip install lm-eval" in result.output
    result = CliRunner().invoke(app, ["lm-eval", "--model", str(tmp_path), "--dry-run"])
    assert result.exit_code == 0 and "--tasks kobest_boolq,kobest_copa" in result.output
