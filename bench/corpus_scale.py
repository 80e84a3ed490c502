"""Growth curve of the corpus stage: the whole pipeline on 1×, 4× and 16× a Korean input.

    .venv/bin/python bench/corpus_scale.py [--base-docs 120] [--sizes 1,4,16] [--workers 2]
                                           [--json out.json]

The input is made of **distinct** documents, so that deduplication does not shrink the
larger sizes: each document recombines 5 to 9 sentences drawn at random from the sample
corpus (data/sample/train) with one sentence generated from word lists and numbers of its
own (an event, a place, an amount, a date), in a seeded order. Two documents share a
sentence or two at most, far below the near-duplicate threshold; the table prints how many
each dedup step dropped, to check that it keeps most.

Each size runs `build_corpus` (read, normalise, script/lid, lines, quality, exact and
near dedup, PII scrub, domains, writer) in a fresh child process; the parent reads the
child's resource usage with ``os.wait4``: CPU seconds of the child and every process it
waited for (the executor's workers), and the peak resident set of the largest of them
(``ru_maxrss`` is a maximum, not a sum). Throughput is input MB per CPU-second, so other
load on a shared machine moves it less than wall-clock time.

The goals (issue 21): CPU time per MB from 4× to 16× within 1.2× (near-linear), and peak
RSS at 16× below 2× the 4× figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "train"

PLACES = [
    "청주",
    "전주",
    "여수",
    "춘천",
    "강릉",
    "목포",
    "안동",
    "군산",
    "경주",
    "원주",
    "제천",
    "순천",
]
SUBJECTS = ["시립 도서관", "주민 센터", "전통 시장", "청소년 수련관", "마을 버스", "공공 자전거"]
ACTIONS = ["운영 시간을 늘렸다", "이용료를 내렸다", "새 안내판을 세웠다", "점검을 마쳤다"]
UNITS = ["명", "건", "곳", "대"]


def sentences() -> list[str]:
    from hanji.text.sentences import split_sentences

    pool: list[str] = []
    for path in sorted(SAMPLE.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                pool.extend(s for s in split_sentences(json.loads(line)["text"]) if len(s) > 15)
    return sorted(set(pool))


def generated(rng: random.Random, i: int) -> str:
    """A sentence of this document's own: its place, subject, date and figures."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return (
        f"{rng.choice(PLACES)}시 {rng.choice(SUBJECTS)}은 {month}월 {day}일부터 "
        f"{rng.choice(ACTIONS)}고 밝혔으며, 첫 주에만 {rng.randint(10, 9999):,}"
        f"{rng.choice(UNITS)}이 집계됐다(관리 번호 {i:07d})."
    )


def make_input(path: Path, n_docs: int, pool: list[str], seed: int = 0) -> int:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            body = rng.sample(pool, rng.randint(5, 9))
            body.insert(rng.randint(0, len(body)), generated(rng, i))
            record = {"id": f"scale-{i}", "text": " ".join(body)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def run_child(data: Path, out: Path, workers: int) -> None:
    from hanji.corpus import build_corpus
    from hanji.recipe import parse_recipe

    recipe = parse_recipe(
        {
            "corpus": {"sources": [{"path": str(data), "domain": "news"}], "workers": workers},
            "output": {"dir": str(out)},
        },
        path=out.parent / "recipe.toml",
    )
    build_corpus(recipe, out, workers=workers, progress=False)


def measure(data: Path, out: Path, workers: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--role", "child", "--input", str(data), "--out", str(out)]
    cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"corpus build failed on {data}")
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "read": stats["read"],
        "kept": stats["kept"],
        "exact_dups": stats["dropped"].get("exact_duplicate", 0),
        "near_dups": stats["dropped"].get("near_duplicate", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["child"], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-docs", type=int, default=120, help="documents at 1×")
    parser.add_argument("--sizes", default="1,4,16", help="multiples of the base")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if args.role == "child":
        run_child(args.input, args.out, args.workers)
        return

    pool = sentences()
    cpu = "amx_tile" if "amx_tile" in Path("/proc/cpuinfo").read_text() else "no amx_tile"
    print(f"cores: {os.cpu_count()} ({cpu}), workers: {args.workers}, sentence pool: {len(pool)}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="hanji-scale-") as tmp:
        for k in (int(x) for x in args.sizes.split(",")):
            data = Path(tmp) / f"in-{k}.jsonl"
            size = make_input(data, args.base_docs * k, pool)
            row = {"size": f"{k}×", "docs": args.base_docs * k, "mb_in": size / 1e6}
            row.update(measure(data, Path(tmp) / f"out-{k}", args.workers))
            row["mb_per_cpu_s"] = row["mb_in"] / row["cpu_s"]
            row["cpu_s_per_mb"] = row["cpu_s"] / row["mb_in"]
            rows.append(row)
            print(
                f"{row['size']:>4} {row['docs']:>6} docs {row['mb_in']:7.2f} MB  "
                f"{row['wall_s']:7.1f} s wall {row['cpu_s']:7.1f} s CPU  "
                f"{row['mb_per_cpu_s']:.4f} MB/CPU-s  peak RSS {row['peak_rss_mb']:7.1f} MB  "
                f"kept {row['kept']}/{row['read']} (exact dups {row['exact_dups']}, "
                f"near dups {row['near_dups']})",
                flush=True,
            )
    by = {r["size"]: r for r in rows}
    if "4×" in by and "16×" in by:
        time_ratio = by["16×"]["cpu_s_per_mb"] / by["4×"]["cpu_s_per_mb"]
        rss_ratio = by["16×"]["peak_rss_mb"] / by["4×"]["peak_rss_mb"]
        print(
            f"16× over 4×: CPU time per MB {time_ratio:.2f}× (goal ≤ 1.2), "
            f"peak RSS {rss_ratio:.2f}× (goal < 2)"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
