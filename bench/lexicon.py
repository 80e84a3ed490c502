"""Measure the neologism miner against planted words (issue 5's goal).

Run:  .venv/bin/python bench/lexicon.py
      .venv/bin/python bench/lexicon.py --mix data/sample/train/news.jsonl   # harder: more prose
      .venv/bin/python bench/lexicon.py --sample                            # data/sample corpus

Goal on tests/data/lexicon/planted.txt (≈30 planted words, each 7–17 uses with varied
particles): ≥ 90 % of planted words in the top 50, and ≥ 80 % of the top 30 planted.
Only the exact planted form counts (갓생이 in the list is a miss and a false positive).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hanji.lexicon import MineConfig, mine
from hanji.lexicon.stage import read_texts
from hanji.text.io import ReadStats

ROOT = Path(__file__).resolve().parents[1]
EVAL_TEXT = ROOT / "tests/data/lexicon/planted.txt"
EVAL_WORDS = ROOT / "tests/data/lexicon/planted_words.txt"
SAMPLE_WORDS = (
    "갓생 꾸안꾸 오운완 점메추 알잘딱깔센 중꺾마 스불재 갑분싸 얼죽아 내돈내산 텅장 월급루팡 "
    "존버 뇌절 분좋카 가심비 탕진잼 혼코노 럭키비키 할많하않"
).split()


def measure(
    name: str, inputs: list[Path], planted: list[str], reference: list[Path] | None
) -> dict[str, float]:
    """Mine `inputs`, print the ranked list against `planted` and return the goal figures."""
    started = time.perf_counter()
    ref = read_texts(reference, ReadStats()) if reference else None
    candidates = mine(read_texts(inputs, ReadStats()), reference=ref, config=MineConfig())
    seconds = time.perf_counter() - started
    words = [c.word for c in candidates]
    rank = {w: i + 1 for i, w in enumerate(words)}
    top30, top50 = words[:30], words[:50]
    recall50 = sum(w in top50 for w in planted) / len(planted)
    recall30 = sum(w in top30 for w in planted) / len(planted)
    precision30 = sum(w in planted for w in top30) / max(1, len(top30))
    k = len(planted)
    precision_k = sum(w in planted for w in words[:k]) / k
    print(f"\n== {name}: {', '.join(str(p.relative_to(ROOT)) for p in inputs)}")
    if reference:
        print(f"   reference: {', '.join(str(p) for p in reference)}")
    print("   top 30: " + " ".join(w if w in planted else f"[{w}]" for w in top30))
    print("   (bracketed = not planted)")
    missing = [f"{w}@{rank.get(w, '-')}" for w in planted if w not in top50]
    print(f"   planted outside the top 50: {', '.join(missing) or 'none'}")
    print(
        f"   recall@50 {recall50:.1%} ({sum(w in top50 for w in planted)}/{len(planted)})  "
        f"recall@30 {recall30:.1%}  precision@30 {precision30:.1%}  "
        + (f"precision@{k} {precision_k:.1%}  " if k != 30 else "")
        + f"candidates {len(words)}  {seconds:.1f} s"
    )
    return {"recall@50": recall50, "recall@30": recall30, "precision@30": precision30}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix", nargs="*", type=Path, default=[], help="extra ordinary text")
    parser.add_argument("--reference", nargs="*", type=Path, default=None)
    parser.add_argument("--sample", action="store_true", help="also mine data/sample/train")
    args = parser.parse_args()

    planted = EVAL_WORDS.read_text(encoding="utf-8").split()
    figures = measure("planted set", [EVAL_TEXT], planted, args.reference)
    goal = figures["recall@50"] >= 0.9 and figures["precision@30"] >= 0.8
    print(f"   goal (recall@50 ≥ 90 %, precision@30 ≥ 80 %): {'met' if goal else 'NOT met'}")
    if args.mix:
        mixed = [EVAL_TEXT, *[p.resolve() for p in args.mix]]
        measure("planted set + ordinary text", mixed, planted, args.reference)
    sample = ROOT / "data/sample/train"
    if args.sample and sample.is_dir():
        files = sorted(sample.glob("*.jsonl"))
        measure("data/sample/train (20 neologisms)", files, SAMPLE_WORDS, args.reference)


if __name__ == "__main__":
    main()
