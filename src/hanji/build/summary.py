"""The end-of-build summary: where things are and the headline Korean figures."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hanji.build.manifest import Manifest


def _pct(x: float) -> str:
    return f"{x:+.1%}"


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
        console.print(f"{key.replace('_', ' ')}: {path}")
    if model:
        console.print(f"serve it:  hanji serve --model {model}")
    for path in ggufs.values():
        console.print(f"      or:  hanji serve --model {path}   (llama.cpp, Ollama, LM Studio)")
