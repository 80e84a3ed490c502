"""A count-based yardstick for the quickstart's BPC: character n-grams on the same corpus.

Run:  .venv/bin/python bench/ngram_yardstick.py [--results runs/quickstart/eval/results.json]

Counts character n-grams (orders 1-5, NFC) on the sample corpus's training split and
scores the held-out split and the unseen prose that the quickstart evaluates, in bits per
character. Smoothing: interpolated absolute discounting (D = 0.75) down to a uniform
distribution over the 65,536 BMP code points, so every character, seen or not, gets a
proper probability. It shows how much of the held-out split a model can predict from this
corpus's local statistics alone; with ``--results`` the base and built models of a
`hanji build` are printed beside it (ratios against the best n-gram order, same data).
"""

from __future__ import annotations

import argparse
import json
import math
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DISCOUNT = 0.75
UNIFORM = 1 / 65536
BOS = "\x02"


def load(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.append(unicodedata.normalize("NFC", json.loads(line)["text"]))
    return texts


class CharNgram:
    def __init__(self, texts: list[str], order: int) -> None:
        self.order = order
        # counts[n][history] = Counter of next characters, history of n characters
        self.counts: list[dict[str, Counter[str]]] = [defaultdict(Counter) for _ in range(order)]
        pad = BOS * (order - 1)
        for text in texts:
            s = pad + text
            for i in range(order - 1, len(s)):
                for n in range(order):
                    self.counts[n][s[i - n : i]][s[i]] += 1
        self.totals = [{h: sum(c.values()) for h, c in level.items()} for level in self.counts]

    def prob(self, history: str, char: str) -> float:
        p = UNIFORM
        for n in range(self.order):  # from unigram up: interpolate each level over the lower
            h = history[len(history) - n :] if n else ""
            seen = self.counts[n].get(h)
            if not seen:
                break  # a longer history that was never seen: keep the lower-order estimate
            total = self.totals[n][h]
            p = max(seen.get(char, 0) - DISCOUNT, 0) / total + DISCOUNT * len(seen) / total * p
        return p

    def bpc(self, texts: list[str]) -> float:
        bits, chars = 0.0, 0
        pad = BOS * (self.order - 1)
        for text in texts:
            s = pad + text
            for i in range(self.order - 1, len(s)):
                bits -= math.log2(self.prob(s[i - self.order + 1 : i], s[i]))
            chars += len(text)
        return bits / chars


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, help="a hanji build's eval/results.json")
    ap.add_argument("--max-order", type=int, default=5)
    args = ap.parse_args()

    train = load(sorted((SAMPLE / "train").glob("*.jsonl")))
    held = load(sorted((SAMPLE / "heldout").glob("*.jsonl")))
    unseen = load(sorted((SAMPLE / "unseen").glob("*.jsonl")))
    print(
        f"train {len(train)} docs {sum(map(len, train)):,} chars; held-out {len(held)} docs "
        f"{sum(map(len, held)):,} chars; unseen {len(unseen)} docs {sum(map(len, unseen)):,}"
    )
    rows = []
    for order in range(1, args.max_order + 1):
        t0 = time.perf_counter()
        lm = CharNgram(train, order)
        rows.append((order, lm.bpc(held), lm.bpc(unseen)))
        print(
            f"  {order}-gram  held-out {rows[-1][1]:.3f}  unseen {rows[-1][2]:.3f} bits/char"
            f"  ({time.perf_counter() - t0:.1f} s)"
        )
    best = min(rows, key=lambda r: r[1])
    print(f"best order on the held-out split: {best[0]} ({best[1]:.3f} / unseen {best[2]:.3f})")
    if args.results:
        res = json.loads(args.results.read_text("utf-8"))
        for name in ("baseline", "model"):
            m = res.get(name)
            if not m or "bpc" not in m:
                continue
            print(
                f"  {name:8s} held-out {m['bpc']:.3f} (x{m['bpc'] / best[1]:.3f} of the "
                f"{best[0]}-gram)  unseen {m.get('bpc_unseen', float('nan')):.3f} "
                f"(x{m.get('bpc_unseen', float('nan')) / best[2]:.3f})"
            )


if __name__ == "__main__":
    main()
