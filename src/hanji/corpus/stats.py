"""Gather the per-rank counters of every stage into one stats dict, and show it.

Everything is read back from disk (datatrove's ``logs/<stage>/stats/<rank>.json`` and
hanji's ledgers), never from memory, so a resumed run — or `hanji corpus stats OUT` on a
finished one — reports exactly what a run in one go would have.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

STEP_ORDER = (
    "read", "normalise", "script", "lines", "spam", "quality",
    "exact_dedup", "near_dedup", "pii", "decontam", "domain", "write",
)  # fmt: skip
STEP_LABELS = {
    "read": "1 read",
    "normalise": "1 normalise",
    "script": "2 script",
    "lines": "3 boilerplate lines",
    "spam": "3 spam blocklist",
    "quality": "3 quality",
    "exact_dedup": "4 exact dedup",
    "near_dedup": "4 near dedup",
    "pii": "5 PII scrub",
    "decontam": "6 decontamination",
    "domain": "7 domain tags",
    "write": "8 write",
}
MAX_WARNINGS = 20


def _total(value: Any) -> int:
    if isinstance(value, dict):
        return int(value.get("total", 0))
    return int(value or 0)


def _millis(value: Any) -> int:
    seconds = value.get("total", 0) if isinstance(value, dict) else value
    return int(1000 * float(seconds or 0))


def _step_key(name: str) -> str | None:
    label = name.split(": ", 1)[-1]
    if not label.startswith("hanji "):
        return None
    key = label.removeprefix("hanji ")
    return key if key in STEP_ORDER else None


def read_step_counters(logs: Path) -> dict[str, Counter[str]]:
    """Sum every counter of every hanji step over all stages and ranks."""
    counters: dict[str, Counter[str]] = {}
    for path in sorted(logs.glob("*/stats/*.json")):
        for entry in json.loads(path.read_text("utf-8")):
            key = _step_key(entry.get("name", ""))
            if key is None:
                continue
            bucket = counters.setdefault(key, Counter())
            for stat, value in entry.get("stats", {}).items():
                bucket[stat] += _total(value)
            bucket["_seconds_x1000"] += _millis(entry.get("time_stats", {}))
    return counters


def _step_entry(key: str, c: Counter[str]) -> dict[str, Any]:
    prefix = "dropped_"
    dropped = {k[len(prefix) :]: v for k, v in c.items() if k.startswith(prefix) and v}
    fixed = {k[6:]: v for k, v in c.items() if k.startswith("fixed_") and v}
    n_in = c["in"] or c["total"]
    kept = c["kept"] or c["forwarded"]
    return {
        "step": key,
        "in": n_in,
        "kept": kept,
        "dropped": dict(sorted(dropped.items(), key=lambda kv: -kv[1])),
        "fixed": fixed,
        "chars_in": c["chars_in"],
        "chars_out": c["chars_out"] or c["doc_len"],
        "seconds": round(c["_seconds_x1000"] / 1000, 3),
    }


def read_ledgers(
    reports: Path,
) -> tuple[dict[str, list[dict]], list[dict], dict[str, int], dict[str, dict[str, int]]]:
    """Examples, warnings, warning counts, and per-reason details (e.g. the language
    identifier's label of every ``not_korean`` drop) of every step and rank."""
    examples: dict[str, list[dict]] = {}
    warnings: list[dict] = []
    warned: Counter[str] = Counter()
    details: dict[str, Counter[str]] = {}
    for path in sorted(reports.glob("*/*.json")):
        data = json.loads(path.read_text("utf-8"))
        for reason, items in data.get("examples", {}).items():
            bucket = examples.setdefault(reason, [])
            bucket.extend(items[: max(0, 3 - len(bucket))])
        if len(warnings) < MAX_WARNINGS:
            warnings.extend(data.get("warnings", [])[: MAX_WARNINGS - len(warnings)])
        warned.update(data.get("warned", {}))
        for reason, counts in data.get("details", {}).items():
            details.setdefault(reason, Counter()).update(counts)
    ordered = {r: dict(c.most_common()) for r, c in sorted(details.items())}
    return examples, warnings, dict(warned), ordered


def collect_stats(out: Path) -> dict[str, Any]:
    """The stats dict of a (possibly partial) run in ``out``; see module docstring."""
    counters = read_step_counters(out / "logs")
    steps = [_step_entry(k, counters[k]) for k in STEP_ORDER if k in counters]
    by_key = {s["step"]: s for s in steps}
    dropped: Counter[str] = Counter()
    for s in steps:
        dropped.update(s["dropped"])
    write = counters.get("write", Counter())
    domains: dict[str, dict[str, int]] = {}
    for stat, value in sorted(write.items()):
        if stat.startswith("domain_docs_"):
            d = stat[len("domain_docs_") :]
            domains[d] = {"docs": value, "chars": write[f"domain_chars_{d}"]}
    read = by_key.get("read", {}).get("in", 0)
    kept = by_key.get("write", {}).get("kept", 0)
    examples, warnings, warned, details = read_ledgers(out / "logs" / "reports")
    return {
        "read": read,
        "kept": kept,
        "dropped": dict(sorted(dropped.items(), key=lambda kv: -kv[1])),
        "accounted": kept + sum(dropped.values()) == read,
        "steps": steps,
        "domains": domains,
        "chars_kept": sum(d["chars"] for d in domains.values()),
        "examples": examples,
        "drop_details": details,
        "warnings": warnings,
        "warning_counts": warned,
    }


def render(stats: dict[str, Any], console: Any = None) -> None:
    """Rich tables: per step, per domain, then the first warnings."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="hanji corpus — documents per step", title_justify="left")
    for col in ("step", "in", "kept", "dropped (top reasons)", "fixed"):
        table.add_column(col, justify="right" if col in ("in", "kept") else "left")
    for s in stats["steps"]:
        drops = ", ".join(f"{r} {n:,}" for r, n in list(s["dropped"].items())[:4])
        fixed = ", ".join(f"{r} {n:,}" for r, n in s["fixed"].items())
        label = STEP_LABELS.get(s["step"], s["step"])
        table.add_row(label, f"{s['in']:,}", f"{s['kept']:,}", drops, fixed)
    console.print(table)
    dom = Table(title="kept per domain", title_justify="left")
    for col in ("domain", "docs", "chars"):
        dom.add_column(col, justify="left" if col == "domain" else "right")
    for d, v in stats["domains"].items():
        dom.add_row(d, f"{v['docs']:,}", f"{v['chars']:,}")
    console.print(dom)
    n_dropped = sum(stats["dropped"].values())
    mark = "[green]✓[/green]" if stats.get("accounted") else "[red]✗ MISMATCH[/red]"
    console.print(
        f"read {stats['read']:,} = kept {stats['kept']:,} + dropped {n_dropped:,}  {mark}"
    )
    timing = stats.get("timing")
    if timing and timing.get("mb_per_s_per_core"):
        console.print(
            f"{timing['input_mb']:.2f} MB in {timing['seconds']:.1f} s on {timing['workers']} "
            f"worker(s): {timing['mb_per_s_per_core']:.2f} MB/s per core, end to end"
        )
    if stats.get("warnings"):
        total = sum(stats.get("warning_counts", {}).values())
        console.print(f"[yellow]{total:,} warning(s); first ones:[/yellow]")
        for w in stats["warnings"][:10]:
            console.print(f"  [yellow]{w['reason']}[/yellow] {w['where']}: {w['message']}")
