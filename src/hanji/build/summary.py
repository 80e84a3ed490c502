"""The end-of-build summary: where things are and the headline Korean figures."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from hanji.build.manifest import Manifest


def _pct(x: float) -> str:
    return f"{x:+.1%}"


def training_lines(figures: dict[str, Any]) -> list[str]:
    """What training ran: steps, precision, and what the budget gave (two users on different
    hosts compare their results by these)."""
    lines = []
    for part in ("cpt", "sft"):
        fig = figures.get(part)
        if not fig:
            continue
        precision = fig.get("precision", "?")
        line = f"{part}: {fig['steps']} steps in {fig['seconds']:.0f}s, {precision}"
        plans = [p for p in fig.get("budget", []) if p.get("steps")]
        if plans:
            chosen = " + ".join(
                f"{p['steps']} steps for {p['budget_s']:.0f}s at {p['seconds_per_step']:.2f} s/step"
                for p in plans
            )
            line += f"; the budget gave {chosen}"
        lines.append(line)
    return lines


def print_summary(manifest: Manifest, console: Console | None = None) -> None:
    console = console or Console()
    st = manifest.stages
    table = Table(title=f"hanji build — {manifest.name}", show_header=True)
    table.add_column("figure")
    table.add_column("base", justify="right")
    table.add_column("built", justify="right")
    table.add_column("change", justify="right")
    delta = st["eval"].figures if "eval" in st else {}
    if "chars_per_token" in delta:
        d = delta["chars_per_token"]
        table.add_row(
            "chars/token (held-out)", f"{d['base']:.3f}", f"{d['new']:.3f}", f"×{d['ratio']:.2f}"
        )
    for key, label in (("bpc", "bits/char (held-out)"), ("bpc_unseen", "bits/char (unseen)")):
        if key in delta:
            d = delta[key]
            table.add_row(label, f"{d['base']:.3f}", f"{d['new']:.3f}", _pct(d["change"]))
    for dom, d in delta.get("bpc_by_domain", {}).items():
        table.add_row(
            f"  bits/char {dom}", f"{d['base']:.3f}", f"{d['new']:.3f}", _pct(d["change"])
        )
    if "probe_acc_norm" in delta:
        d = delta["probe_acc_norm"]
        table.add_row(
            "neologism probe",
            f"{d['base']:.1%}",
            f"{d['new']:.1%}",
            f"{(d['new'] - d['base']) * 100:+.1f} pts",
        )
    console.print(table)
    for line in training_lines(st["train"].figures if "train" in st else {}):
        console.print(line)
    base = delta.get("base")
    if base:
        how = "read from the cache" if base["cached"] else "computed (cached for the next build)"
        console.print(f"base model's figures: {how}, {base['seconds']:.1f}s")
    times = Table(title="wall time per stage", show_header=False)
    for name, rec in st.items():
        times.add_row(name, f"{rec.seconds or 0:.1f}s", rec.status)
    console.print(times)
    model = st.get("train").artifacts.get("model") if "train" in st else None
    report = st.get("eval").artifacts if "eval" in st else {}
    if model:
        console.print(f"model:  {model}")
    for key in ("report_md", "report_html", "results"):
        if key in report:
            console.print(f"{key.replace('_', ' ')}: {report[key]}")
    ggufs = st.get("export").artifacts if "export" in st else {}
    for key, path in ggufs.items():
        console.print(f"gguf {key.removeprefix('gguf_')}: {path}")
    if model:
        console.print(f"serve it:  hanji serve --model {model}")
    for path in ggufs.values():
        console.print(f"      or:  hanji serve --model {path}   (llama.cpp, Ollama, LM Studio)")
