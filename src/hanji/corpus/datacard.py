"""``datacard.md``: a human summary of a corpus run (counts, characters, drops, examples)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hanji.corpus.stats import STEP_LABELS


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def render_datacard(stats: dict[str, Any], mixture: dict[str, Any] | None, title: str) -> str:
    read, kept = stats["read"], stats["kept"]
    lines = [
        f"# Data card — {title}",
        "",
        f"Read **{read:,}** documents; kept **{kept:,}** ({_pct(kept, read)}), "
        f"dropped **{read - kept:,}**. Kept text: **{stats.get('chars_kept', 0):,}** characters. "
        f"Accounting {'holds' if stats.get('accounted') else '**does not hold**'}: "
        "kept + Σ dropped = read.",
        "",
        "## Per domain",
        "",
        "| domain | documents | characters | sampling probability | epochs |",
        "|---|---:|---:|---:|---:|",
    ]
    probs = (mixture or {}).get("probabilities", {})
    epochs = (mixture or {}).get("epochs", {})
    for d, v in stats["domains"].items():
        p = f"{probs[d]:.3f}" if d in probs else "-"
        e = f"{epochs[d]:.2f}" if d in epochs else "-"
        lines.append(f"| {d} | {v['docs']:,} | {v['chars']:,} | {p} | {e} |")
    lines += [
        "",
        "## Steps",
        "",
        "| step | in | kept | dropped | fixed |",
        "|---|---:|---:|---|---|",
    ]
    for s in stats["steps"]:
        drops = ", ".join(f"{r} {n:,}" for r, n in s["dropped"].items()) or "-"
        fixed = ", ".join(f"{r} {n:,}" for r, n in s["fixed"].items()) or "-"
        label = STEP_LABELS.get(s["step"], s["step"])
        lines.append(f"| {label} | {s['in']:,} | {s['kept']:,} | {drops} | {fixed} |")
    lines += ["", "## Top drop reasons", ""]
    details = stats.get("drop_details", {})
    for reason, n in list(stats["dropped"].items())[:10]:
        lines.append(f"- **{reason}**: {n:,} ({_pct(n, read)} of read)")
        if reason in details:  # e.g. the language identifier's label of each not_korean drop
            top = ", ".join(f"{k} {v:,}" for k, v in list(details[reason].items())[:6])
            lines.append(f"  - {top}")
    if stats.get("examples"):
        lines += ["", "## Example drops", ""]
        for reason, items in stats["examples"].items():
            for ex in items[:2]:
                text = ex["text"].replace("|", "\\|")
                lines.append(f"- `{reason}` — {ex['id']} ({ex['where']}): {text}")
    if stats.get("warnings"):
        lines += ["", "## Input warnings (first ones)", ""]
        for w in stats["warnings"][:10]:
            lines.append(f"- `{w['reason']}` {w['where']}: {w['message']}")
    return "\n".join(lines) + "\n"


def write_datacard(
    out: Path, stats: dict[str, Any], mixture: dict[str, Any] | None, title: str
) -> Path:
    path = out / "datacard.md"
    path.write_text(render_datacard(stats, mixture, title), encoding="utf-8")
    return path
