"""`hanji eval`: BPC, the neologism probe, multiple-choice tasks, suites and the report."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Korean evaluation: BPC, neologism probe, tasks, report.", no_args_is_help=True
)
console = Console(stderr=True)


def _load(model: str):
    from hanji.modeling import load_model_and_tokenizer

    return load_model_and_tokenizer(model)


@app.command("bpc")
def bpc(
    model: str = typer.Option(..., "--model", help="model reference (dir, embedded, Hub id)"),
    text: list[Path] = typer.Option(..., "--text", help="JSONL (text field) or .txt files"),
    more: list[Path] | None = typer.Argument(
        None, metavar="FILE", help="more files, as in --text a.jsonl b.jsonl"
    ),
    window: int = typer.Option(2048, "--window", min=2, help="context window in tokens"),
    as_json: bool = typer.Option(False, "--json", help='print {"bpc", "per_file"} as JSON'),
) -> None:
    """Bits per character on Korean text; overall = total bits / total characters."""
    from hanji.evaluate.bpc import bits_per_character
    from hanji.modeling import ModelResolutionError
    from hanji.text.io import expand, iter_records

    try:
        files = expand([*text, *(more or [])])
        docs = [(str(f), r["text"]) for f in files for r in iter_records(f)]
        empty = sorted({str(f) for f in files} - {name for name, t in docs if t})
        if empty:  # a file with no text has no BPC: say so rather than drop it from per_file
            raise ValueError(f"no text to score in {', '.join(empty)}")
        m, tok = _load(model)
    except (FileNotFoundError, ValueError, ModelResolutionError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("scoring", total=len(docs))
        result = bits_per_character(
            m, tok, docs, window=window, progress=lambda: progress.advance(task)
        )
    per_file = result.group_bpc()
    if as_json:
        typer.echo(json.dumps({"bpc": result.bpc, "per_file": per_file}, ensure_ascii=False))
        return
    table = Table(title=f"bits per character — {model}")
    table.add_column("file")
    table.add_column("chars", justify="right")
    table.add_column("BPC", justify="right")
    for name, value in per_file.items():
        table.add_row(name, f"{int(result.by_group[name]['chars']):,}", f"{value:.4f}")
    table.add_row("[bold]overall", f"{result.chars:,}", f"[bold]{result.bpc:.4f}")
    Console().print(table)


@app.command("probe")
def probe(
    model: str = typer.Option(..., "--model"),
    items: Path = typer.Option(..., "--items", help="probe.jsonl from `hanji lexicon mine`"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Neologism probe accuracy (raw and length-normalised log-likelihood ranking)."""
    from hanji.evaluate.probe import load_probe, run_probe

    try:
        loaded = load_probe(items)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    m, tok = _load(model)
    result = run_probe(m, tok, loaded)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        Console().print(
            f"probe: {result.n} items, accuracy {result.acc_norm:.1%} "
            f"(length-normalised), {result.acc_raw:.1%} (raw); chance 25%"
        )


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(2)


def _print_summary(results: dict) -> None:
    from hanji.evaluate.report import metric_rows

    has_base = "baseline" in results
    table = Table(title="hanji eval run")
    table.add_column("metric")
    if has_base:
        table.add_column("base", justify="right")
    table.add_column("model", justify="right")
    if has_base:
        table.add_column("change", justify="right")
    for row in metric_rows(results):
        cells = [row.label]
        if has_base:
            cells.append(row.value(row.base))
        cells.append(row.value(row.new))
        if has_base:
            colour = {1: "green", -1: "red", 0: "white"}[row.verdict()]
            cells.append(f"[{colour}]{row.delta()}")
        table.add_row(*cells)
    Console().print(table)


@app.command("run")
def run(
    model: str = typer.Option(..., "--model", help="the model to evaluate (dir, embedded, Hub id)"),
    baseline: str | None = typer.Option(None, "--baseline", help="the base to compare against"),
    suite: str = typer.Option("quick", "--suite", help="suite file (.toml/.json) or quick, korean"),
    out: Path = typer.Option(..., "--out", help="folder for results.json and the report"),
    probe_items: Path | None = typer.Option(None, "--probe", help="probe.jsonl to add"),
    few_shot: int | None = typer.Option(None, "--few-shot", min=0, help="override few_shot"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most N items per task"),
    report: bool = typer.Option(True, "--report/--no-report", help="write report.md/.html"),
    precision: str | None = typer.Option(
        None, "--precision", help="auto (bf16 autocast on an AMX CPU), fp32 or bf16"
    ),
) -> None:
    """Run a suite on a model (and its base): BPC, probe, tasks, generations, report."""
    from dataclasses import replace

    from hanji.evaluate.sources import TaskLoadError
    from hanji.evaluate.suite_files import load_suite
    from hanji.evaluate.suite_run import run_suite
    from hanji.modeling import ModelResolutionError

    try:
        cfg = load_suite(suite)
        if probe_items is not None:
            if not probe_items.is_file():
                raise FileNotFoundError(f"no such probe file: {probe_items}")
            cfg = replace(cfg, probe=probe_items)
        if few_shot is not None:
            cfg = replace(cfg, few_shot=few_shot)
        if limit is not None:
            cfg = replace(cfg, task_limit=limit)
        if precision is not None:
            cfg = replace(cfg, precision=precision)
        with console.status("evaluating…") as status:

            def log(message: str) -> None:
                console.log(message)
                status.update(message)

            results = run_suite(model, out, cfg, baseline=baseline, log=log)
    except (FileNotFoundError, ValueError, TaskLoadError, ModelResolutionError) as exc:
        raise _fail(exc) from None
    _print_summary(results)
    console.print(f"results: {out / 'results.json'}")
    if report:
        from hanji.evaluate.report import write_report

        paths = write_report(out, results)
        console.print(f"report: {paths['report_html']} and {paths['report_md']}")


@app.command("tasks")
def tasks_command(
    model: str = typer.Option(..., "--model"),
    task: list[str] = typer.Option(
        ..., "--task", help="task file, folder, or Hub name (kobest_copa, kmmlu:Law, ...)"
    ),
    few_shot: int = typer.Option(0, "--few-shot", min=0),
    limit: int | None = typer.Option(None, "--limit", min=1),
    mode: str | None = typer.Option(None, "--mode", help="letters or text (lettered formats)"),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Multiple-choice accuracy by log-likelihood: per task, macro and micro."""
    from dataclasses import replace

    from hanji.evaluate.mc import run_task, summarize
    from hanji.evaluate.sources import TaskLoadError, load_task, task_specs
    from hanji.modeling import ModelResolutionError

    try:
        loaded = []
        for ref in task:
            for spec in task_specs(ref):
                spec = replace(spec, limit=spec.limit or limit, mode=mode or spec.mode)
                loaded.append(load_task(spec, few_shot))
        m, tok = _load(model)
    except (FileNotFoundError, ValueError, TaskLoadError, ModelResolutionError) as exc:
        raise _fail(exc) from None
    results = [
        run_task(
            m, tok, t.items, name=t.spec.name, pool=t.pool, k=few_shot, seed=seed, source=t.source
        )
        for t in loaded
    ]
    summary = summarize(results)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title=f"multiple choice — {model} ({few_shot}-shot)")
    for col in ("task", "n", "acc", "acc_norm", "chance"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for name, r in summary["per_task"].items():
        table.add_row(
            name, str(r["n"]), f"{r['acc']:.1%}", f"{r['acc_norm']:.1%}", f"{r['chance']:.0%}"
        )
    for avg in ("macro", "micro"):
        s = summary[avg]
        table.add_row(
            f"[bold]{avg}",
            str(summary["n"]),
            f"[bold]{s['acc']:.1%}",
            f"{s['acc_norm']:.1%}",
            f"{s['chance']:.0%}",
        )
    Console().print(table)


@app.command("report")
def report_command(
    results: Path = typer.Option(..., "--results", help="results.json, or the folder holding it"),
    out: Path | None = typer.Option(None, "--out", help="where to write (default: beside it)"),
) -> None:
    """Render report.md and a self-contained report.html from a results.json."""
    from hanji.evaluate.report import write_report

    path = results / "results.json" if results.is_dir() else results
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(exc) from None
    paths = write_report(out or path.parent, data)
    console.print(f"report: {paths['report_html']} and {paths['report_md']}")


@app.command("lm-eval")
def lm_eval_command_(
    model: str = typer.Option(..., "--model", help="model dir (or anything the resolver takes)"),
    tasks: str = typer.Option(
        "kobest_boolq,kobest_copa,kobest_hellaswag,kobest_sentineg,kobest_wic",
        "--tasks",
        help="comma-separated lm-eval task names",
    ),
    few_shot: int | None = typer.Option(None, "--few-shot", min=0),
    limit: int | None = typer.Option(None, "--limit", min=1),
    out: Path | None = typer.Option(None, "--out", help="lm-eval --output_path"),
    device: str | None = typer.Option(None, "--device"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print the command, do not run it"),
) -> None:
    """Run lm-evaluation-harness on the model dir (needs: pip install lm-eval)."""
    import shlex
    import subprocess

    from hanji.evaluate.lmeval import hf_dir, lm_eval_available, lm_eval_command

    if not dry_run and not lm_eval_available():
        raise _fail(
            RuntimeError(
                "lm-evaluation-harness is not installed: pip install lm-eval "
                "(then re-run, or use --dry-run to see the command)"
            )
        )
    try:
        cmd = lm_eval_command(
            hf_dir(model),
            [t.strip() for t in tasks.split(",") if t.strip()],
            num_fewshot=few_shot,
            limit=limit,
            output_path=out,
            device=device,
        )
    except ValueError as exc:
        raise _fail(exc) from None
    typer.echo(shlex.join(cmd))
    if dry_run:
        return
    raise typer.Exit(subprocess.call(cmd))
