"""Overlap resolution and whole-text detection on texts full of Korean names.

    .venv/bin/python bench/resolve.py            # resolve: O(n log n) vs the old quadratic
    .venv/bin/python bench/resolve.py --kb 599   # also: detect() on a 599 KB text of names

`resolve` is timed against the quadratic algorithm it replaced (copied here as the
reference) on the same entity sets in the same run: n non-overlapping names (the old worst
case: every entity compared with every one kept) and n heavily overlapping candidates.
Wall time, best of three; the quadratic one is skipped above --max-quadratic entities.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hanji.privacy import Entity, detect  # noqa: E402
from hanji.privacy.detect import resolve  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "privacy"))
# The old quadratic algorithm: the test's oracle is the bench's baseline.
from test_privacy_resolve import reference_resolve as quadratic_resolve  # noqa: E402

detect_module = sys.modules["hanji.privacy.detect"]  # `hanji.privacy.detect` is the function

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서준지현우영수하은도윤예진성호태희"


def names_text(size_bytes: int, seed: int = 0) -> str:
    """`김민서 씨, 이준호 씨, …` up to `size_bytes` of UTF-8: a worst case for the person
    recogniser (every few characters a name)."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < size_bytes:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        part = f"{name} 씨, "
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--max-quadratic", type=int, default=50000)
    ap.add_argument("--kb", type=int, default=0, help="also time detect() on a text this big")
    ap.add_argument("--old-detect", action="store_true", help="also time detect() as it was")
    args = ap.parse_args()
    rng = random.Random(1)
    print(f"{'case':<14}{'n':>8}{'kept':>8}{'new s':>10}{'old s':>10}")
    for n in (int(x) for x in args.sizes.split(",")):
        disjoint = [Entity(5 * i, 5 * i + 3, "PERSON", 0.85) for i in range(n)]
        rng.shuffle(disjoint)
        overlapping = []
        for _ in range(n):
            start = rng.randrange(n * 2)
            overlapping.append(
                Entity(start, start + rng.randint(1, 40), "PERSON", rng.choice((0.6, 0.85, 1.0)))
            )
        for case, ents in (("disjoint", disjoint), ("overlapping", overlapping)):
            new = best(lambda ents=ents: resolve(ents))
            kept = len(resolve(ents))
            if n <= args.max_quadratic:
                old = best(lambda ents=ents: quadratic_resolve(ents), repeat=1)
                assert quadratic_resolve(ents) == resolve(ents)
                old_s = f"{old:10.3f}"
            else:
                old_s = f"{'-':>10}"
            print(f"{case:<14}{n:>8}{kept:>8}{new:>10.3f}{old_s}")
    if args.kb:
        text = names_text(args.kb * 1024)
        size_kb = len(text.encode()) / 1024
        t0 = time.perf_counter()
        found = detect(text)
        took = time.perf_counter() - t0
        print(f"detect: {size_kb:.0f} KB UTF-8, {len(found)} entities, {took:.2f} s")
        if args.old_detect:
            detect_module.resolve = quadratic_resolve
            t0 = time.perf_counter()
            assert detect(text) == found
            took = time.perf_counter() - t0
            detect_module.resolve = resolve
            print(f"detect with the quadratic resolve: {took:.2f} s")


if __name__ == "__main__":
    main()
