"""Corpus filter benchmark: datatrove's stock filters vs hanji's Korean filters, one core.

    .venv/bin/python bench/corpus.py [--repeat N] [--json]
    .venv/bin/python bench/corpus.py lid [--tune] [--candidates] [--build] [--no-debian] [--json]

``lid`` measures the language decision of the script step (see ``lid_main``); the default
command measures the quality filters:

(a) stock: GopherRepetitionFilter + GopherQualityFilter + FineWebQualityFilter with
    datatrove's Korean word tokenizer (Kiwi), default (English-tuned) thresholds.
    To make it run: datatrove assigns Kiwi's ``sbg`` model to ``kor_Hang``, which
    kiwipiepy >= 0.22 no longer ships ("Cannot open required files for skipbigram
    model"), so the filters get ``KiwiTokenizer(model_type="cong")`` as their
    ``language`` (datatrove accepts a WordTokenizer instance there). Nothing else
    changes: each filter splits the text into words itself, as in a stock pipeline.
(b) hanji: Normalize, ScriptFilter, BoilerplateLines, SpamFilter, KoreanQualityFilter.

Both see the same documents: the sample corpus training split (repeated ``--repeat``
times) for throughput, and the labelled fixtures (tests/data/corpus) for keep rates.
Throughput is UTF-8 input megabytes per CPU-second of this process (one process, no pool),
so other load on a shared machine does not skew the ratio; wall-clock MB/s is printed too.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from datatrove.data import Document

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "train"
FIXTURES = ROOT / "tests" / "data" / "corpus"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def stock_chain() -> Callable[[str], bool]:
    from datatrove.pipeline.filters import (
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.utils.word_tokenizers import KiwiTokenizer

    kiwi = KiwiTokenizer(model_type="cong")
    filters = [
        GopherRepetitionFilter(language=kiwi),  # type: ignore[arg-type]
        GopherQualityFilter(language=kiwi),  # type: ignore[arg-type]
        FineWebQualityFilter(language=kiwi),  # type: ignore[arg-type]
    ]

    def keep(text: str) -> bool:
        doc = Document(text=text, id="b")
        for f in filters:
            result = f.filter(doc)
            if not (result[0] if isinstance(result, tuple) else result):
                return False
        return True

    return keep


def hanji_chain() -> Callable[[str], bool]:
    from hanji.corpus.filters import (
        BoilerplateLines,
        KoreanQualityFilter,
        Normalize,
        ScriptFilter,
        SpamFilter,
    )

    formatters = [Normalize(), BoilerplateLines()]
    filters = [ScriptFilter(), SpamFilter(), KoreanQualityFilter()]

    def keep(text: str) -> bool:
        doc = Document(text=text, id="b", metadata={"path": "bench", "line": 0})
        for step in formatters:
            if isinstance(step.process(doc), str):
                return False
        return all(f.check(doc) is None for f in filters)

    return keep


def throughput(keep: Callable[[str], bool], texts: Iterable[str]) -> tuple[float, float]:
    """MB per CPU-second and MB per wall-clock second."""
    texts = list(texts)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    keep(texts[0])  # load models, compile patterns
    start, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        keep(t)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - start
    return size / cpu, size / wall


def keep_rate(keep: Callable[[str], bool], records: list[dict]) -> float:
    return sum(keep(r["text"]) for r in records) / len(records)


def main() -> None:
    import sys

    if sys.argv[1:2] == ["lid"]:
        from corpus_lid import lid_main

        lid_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=2, help="passes over the sample corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    from datatrove.utils.logging import logger

    logger.remove()
    corpus = [r["text"] for p in sorted(SAMPLE.glob("*.jsonl")) for r in load(p)] * args.repeat
    good, junk = load(FIXTURES / "good.jsonl"), load(FIXTURES / "junk.jsonl")
    results = {}
    for name, make in (("stock", stock_chain), ("hanji", hanji_chain)):
        keep = make()
        mbps, wall = throughput(keep, corpus)
        results[name] = {
            "mb_per_s_per_core": round(mbps, 3),
            "mb_per_s_wall": round(wall, 3),
            "good_kept": round(keep_rate(keep, good), 4),
            "junk_kept": round(keep_rate(keep, junk), 4),
        }
    results["speedup"] = round(
        results["hanji"]["mb_per_s_per_core"] / results["stock"]["mb_per_s_per_core"], 1
    )
    results["input_mb"] = round(sum(len(t.encode("utf-8")) for t in corpus) / 1e6, 3)
    results["fixtures"] = {"good": len(good), "junk": len(junk)}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"input: {results['input_mb']} MB of Korean text; "
        f"fixtures: {len(good)} good, {len(junk)} junk"
    )
    print(f"{'':8}{'MB/s/core':>12}{'MB/s wall':>12}{'good kept':>12}{'junk dropped':>14}")
    for name in ("stock", "hanji"):
        r = results[name]
        print(
            f"{name:8}{r['mb_per_s_per_core']:>12.3f}{r['mb_per_s_wall']:>12.3f}"
            f"{r['good_kept']:>12.1%}{1 - r['junk_kept']:>14.1%}"
        )
    print(f"speed-up: {results['speedup']}x")


if __name__ == "__main__":
    main()
