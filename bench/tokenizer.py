"""Korean vocabulary expansion of SmolLM2 against GPT-4o's o200k_base and cl100k (issue 6).

Run:  .venv/bin/python bench/tokenizer.py
      .venv/bin/python bench/tokenizer.py --sizes 2000,8000 --fractions 0.5,1   # quicker
      .venv/bin/python bench/tokenizer.py --train DIR_OR_FILES... --eval FILES...  # own corpus

Extends the base tokenizer (tokenizer only: `extend_model(..., with_model=False)`, the
same code path as `hanji tokenizer extend --tokenizer-only`) on the training split at
several sizes N and on several fractions of the training split, then measures every
tokenizer on held-out Korean text that the expansion never saw (checked: no evaluation
document occurs in the training split). The base, o200k_base and cl100k_base are measured
in the same run; ratios are against those rows. Each extended tokenizer is reloaded with
`AutoTokenizer` from the saved dir and must round-trip every evaluation document exactly.

Goal (issue 6), for an expansion trained on a Korean corpus of at least a few MB:
extended ≥ 3× the base's chars/token and ≥ 1.25× o200k_base's. o200k/cl100k need the
benchmark-only package quicktok-v1 (pip install quicktok-v1).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import tempfile
import time
from pathlib import Path

from hanji.text.io import iter_texts
from hanji.tokenizer.model_dir import EXTENSION_FILE, extend_model
from hanji.tokenizer.stats import TokenizerStats, tokenizer_stats

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data/sample"
BASE = "smollm2-135m"
REFERENCES = ("o200k_base", "cl100k_base")


def _files(patterns: list[str]) -> list[Path]:
    out: list[Path] = []
    for pattern in patterns:
        matches = sorted(Path(m) for m in glob.glob(str(pattern)))
        if not matches:
            raise SystemExit(f"error: no file matches {pattern}")
        out.extend(matches)
    return out


def _subset(per_file: list[list[str]], fraction: float) -> list[str]:
    """The first ``fraction`` of each file's documents, so every domain stays in."""
    return [t for texts in per_file for t in texts[: max(1, math.ceil(fraction * len(texts)))]]


def _round_trip_failures(tok_dir: Path, texts: list[str]) -> int:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tok_dir)
    bad = 0
    for text in texts:
        ids = tok.encode(text, add_special_tokens=False)
        bad += tok.decode(ids, skip_special_tokens=False) != text
    return bad


def _measure(ref: str, eval_sets: dict[str, list[str]]) -> dict[str, TokenizerStats]:
    return {name: tokenizer_stats(ref, texts) for name, texts in eval_sets.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--train", nargs="+", default=[str(SAMPLE / "train/*.jsonl")])
    parser.add_argument(
        "--eval",
        nargs="+",
        default=[str(SAMPLE / "heldout/*.jsonl"), str(SAMPLE / "unseen/prose.jsonl")],
    )
    parser.add_argument("--sizes", default="1000,2000,4000,8000,16000", help="added tokens N")
    parser.add_argument("--fractions", default="0.25,0.5,1", help="of the training split")
    parser.add_argument("--fraction-n", type=int, default=8000, help="N for the fraction rows")
    parser.add_argument("--must-have", default=str(SAMPLE / "glossary.jsonl"))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    fractions = [float(x) for x in args.fractions.split(",")]

    train_files = _files(args.train)
    per_file = [list(iter_texts([f])) for f in train_files]
    train_all = [t for texts in per_file for t in texts]
    eval_files = _files(args.eval)
    eval_sets = {f"{f.parent.name}/{f.stem}": list(iter_texts([f])) for f in eval_files}
    groups: dict[str, list[str]] = {}
    for name, texts in eval_sets.items():
        groups.setdefault(name.split("/")[0], []).extend(texts)
    groups["all"] = [t for texts in eval_sets.values() for t in texts]
    leaked = set(train_all) & set(groups["all"])
    if leaked:
        raise SystemExit(f"error: {len(leaked)} evaluation documents occur in the training split")
    must_have: list[str] = []
    if args.must_have and Path(args.must_have).is_file():
        for line in Path(args.must_have).read_text("utf-8").splitlines():
            if line.strip():
                must_have.append(json.loads(line)["word"])

    def size(texts: list[str]) -> str:
        n_bytes = sum(len(t.encode("utf-8")) for t in texts)
        return f"{len(texts)} docs, {sum(map(len, texts)):,} chars, {n_bytes / 1e6:.2f} MB"

    print(f"train: {size(train_all)} ({len(train_files)} files)")
    for name, texts in groups.items():
        print(f"eval {name}: {size(texts)}")
    print(f"must-have words: {len(must_have)}\n")

    rows: list[dict] = []

    def record(label: str, ref: str, extra: dict) -> None:
        stats = _measure(ref, groups)
        rows.append({"name": label, **extra, "stats": stats})

    for ref in (BASE, *REFERENCES):
        record(ref, ref, {"added": 0, "train_chars": None, "seconds": None, "bad": None})

    configs = [(n, 1.0) for n in sizes] + [(args.fraction_n, f) for f in fractions if f != 1.0]
    with tempfile.TemporaryDirectory(prefix="hanji-bench-tok-") as tmp:
        for i, (n, fraction) in enumerate(configs):
            texts = train_all if fraction == 1.0 else _subset(per_file, fraction)
            out = Path(tmp) / f"ext-{i}"
            t0 = time.perf_counter()
            res = extend_model(BASE, texts, out, n_new=n, must_have=must_have, with_model=False)
            seconds = time.perf_counter() - t0
            bad = _round_trip_failures(out, groups["all"])
            rec = json.loads((out / EXTENSION_FILE).read_text("utf-8"))
            label = f"+{n // 1000}k @ {fraction:g} train"
            print(
                f"{label}: asked {n}, added {res.n_new_tokens} tokens / {rec['n_new_merges']} "
                f"merges on {sum(map(len, texts)):,} chars in {seconds:.1f}s; must-have single "
                f"{res.must_have_single}/{res.must_have_total}; round-trip failures {bad}"
            )
            extra = {
                "added": res.n_new_tokens,
                "train_chars": sum(map(len, texts)),
                "seconds": seconds,
                "bad": bad,
            }
            record(label, str(out), extra)

    base = rows[0]["stats"]["all"].chars_per_token
    o200k = rows[1]["stats"]["all"].chars_per_token
    split_names = [g for g in groups if g != "all"]
    header = (
        f"\n{'tokenizer':<22}{'added':>7}"
        + "".join(f"{'c/t ' + g:>15}" for g in split_names)
        + f"{'c/t all':>9}{'tok/어절':>9}{'byte pc':>9}{'× base':>8}{'× o200k':>9}{'rt fail':>8}"
    )
    print(header)
    for row in rows:
        s: dict[str, TokenizerStats] = row["stats"]
        a = s["all"]
        print(
            f"{row['name']:<22}{row['added']:>7}"
            + "".join(f"{s[g].chars_per_token:>15.3f}" for g in split_names)
            + f"{a.chars_per_token:>9.3f}{a.tokens_per_word:>9.2f}{a.byte_piece_rate:>9.1%}"
            + f"{a.chars_per_token / base:>8.2f}{a.chars_per_token / o200k:>9.2f}"
            + f"{'-' if row['bad'] is None else row['bad']:>8}"
        )
    ext_rows = rows[1 + len(REFERENCES) :]
    best = max(ext_rows, key=lambda r: r["stats"]["all"].chars_per_token)
    cpt = best["stats"]["all"].chars_per_token
    print(
        f"\nbest extended: {best['name']}: {cpt / base:.2f}× base (goal ≥ 3), "
        f"{cpt / o200k:.2f}× o200k_base (goal ≥ 1.25); trained on "
        f"{best['train_chars']:,} chars (goal stated for ≥ a few MB)"
    )
    total_bad = sum(r["bad"] for r in ext_rows)
    print(f"lossless round-trip: {'yes' if total_bad == 0 else f'NO ({total_bad} failures)'}")
    if args.json:
        payload = [
            {
                **{k: v for k, v in r.items() if k != "stats"},
                "stats": {g: st.as_dict() for g, st in r["stats"].items()},
            }
            for r in rows
        ]
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
    if total_bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
