"""PII benchmark: hanji vs ko-pii vs korean-pii on the same labelled Korean set.

    .venv/bin/python bench/privacy.py                 # table
    .venv/bin/python bench/privacy.py --json out.json # also write the figures
    .venv/bin/python bench/privacy.py --errors PERSON # list hanji's misses and false alarms

Two sets are scored in the same run: tests/data/pii_eval.jsonl (identifiers mostly next to
their labels) and tests/data/pii_natural.jsonl (chat, call-centre transcripts, news, 공문,
signatures, table rows, transfer memos, 민원; built by tests/privacy/build_natural_set.py,
split into a "tune" and a "heldout" half by template). `--errors` lists errors on the first
set and on the natural set's tune half only: the held-out half is read only to report.

Every system reads the same lines of each set and is scored by the same
function: per type, a prediction is a true positive when its span and (mapped) type equal
a gold entity's ("strict"); the "overlap" columns accept any overlap of the same type,
one-to-one, which is kinder to systems whose span conventions differ from the gold's
(e.g. whether "(역삼동)" belongs to an address). Types a system does not support count as
misses in the 13-type micro F1; the "own types" column restricts the micro average to the
types that system claims to detect. Speed is characters per second of detection alone,
single process, CPU time, best of several passes over the whole set. Lines carry a
"split": "dev" lines were used while tuning hanji, "heldout" lines were not; "variants"
lines are rendered lines whose numeric identifiers (and hard negatives' digits) are
rewritten as a hostile client would (Unicode digits, invisible characters, other dashes
and separators). All three are reported.

The other libraries are installed for the benchmark only:
    .venv/bin/pip install ko-pii korean-pii
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hanji.privacy import ENTITY_TYPES, detect  # noqa: E402

EVAL = ROOT / "tests" / "data" / "pii_eval.jsonl"
NATURAL = ROOT / "tests" / "data" / "pii_natural.jsonl"

Span = tuple[int, int, str]
Detector = Callable[[str], list[Span]]


@dataclass
class System:
    name: str
    detect: Detector
    types: frozenset[str]
    note: str = ""


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Result:
    system: str
    strict: dict[str, Score] = field(default_factory=dict)
    overlap: dict[str, Score] = field(default_factory=dict)
    chars_per_s: float = 0.0
    by_split: dict[str, dict[str, Score]] = field(default_factory=dict)
    error: str = ""
    note: str = ""
    types: frozenset[str] = frozenset()


def hanji_system() -> System:
    def run(text: str) -> list[Span]:
        return [(e.start, e.end, e.type) for e in detect(text)]

    return System("hanji", run, frozenset(ENTITY_TYPES))


# ko-pii labels -> ours (labels outside the 13 types are ignored, neither hit nor miss).
_KO_PII_MAP = {
    "RRN": "RRN", "FRN": "FRN", "PASSPORT": "PASSPORT", "DRIVER_LICENSE": "DRIVER_LICENSE",
    "BUSINESS_REG": "BRN", "CORP_REG": "CRN", "CARD": "CARD", "ACCOUNT": "ACCOUNT",
    "PHONE": "PHONE", "EMAIL": "EMAIL", "IP": "IP", "ADDRESS": "ADDRESS", "PERSON": "PERSON",
}  # fmt: skip
# korean-pii labels -> ours; "rrn" covers foreigners' numbers too (same shape), so it
# counts for RRN or FRN, whichever the gold says.
_KOREAN_PII_MAP = {
    "rrn": "RRN|FRN", "phone": "PHONE", "card": "CARD", "email": "EMAIL", "account": "ACCOUNT",
    "passport": "PASSPORT", "driver_license": "DRIVER_LICENSE",
}  # fmt: skip


def ko_pii_system() -> System:
    import ko_pii

    def run(text: str) -> list[Span]:
        out = []
        for d in ko_pii.detect_all(text):
            kind = _KO_PII_MAP.get(d.label)
            if kind is not None:
                out.append((d.start, d.end, kind))
        return out

    version = getattr(ko_pii, "__version__", "?")
    return System(f"ko-pii {version}", run, frozenset(_KO_PII_MAP.values()))


def korean_pii_system() -> System:
    from importlib.metadata import version

    import korean_pii

    def run(text: str) -> list[Span]:
        out = []
        for d in korean_pii.detect(text):
            kind = _KOREAN_PII_MAP.get(d.type)
            if kind is not None:
                out.append((d.start, d.end, kind))
        return out

    types = frozenset(t for v in _KOREAN_PII_MAP.values() for t in v.split("|"))
    return System(f"korean-pii {version('korean-pii')}", run, types)


def _type_ok(pred: str, gold: str) -> bool:
    return gold in pred.split("|")


def _score_line(
    gold: list[Span], pred: list[Span], strict: dict[str, Score], overlap: dict[str, Score]
) -> tuple[list[Span], list[Span]]:
    """Update both tallies; return (missed gold, false predictions) under strict matching."""
    used: set[int] = set()
    missed: list[Span] = []
    for g in gold:
        hit = next(
            (i for i, p in enumerate(pred)
             if i not in used and p[0] == g[0] and p[1] == g[1] and _type_ok(p[2], g[2])),
            None,
        )  # fmt: skip
        if hit is None:
            strict[g[2]].fn += 1
            missed.append(g)
        else:
            used.add(hit)
            strict[g[2]].tp += 1
    false = [p for i, p in enumerate(pred) if i not in used]
    for p in false:
        strict[p[2].split("|")[0]].fp += 1
    used = set()
    for g in gold:
        hit = next(
            (i for i, p in enumerate(pred)
             if i not in used and p[0] < g[1] and g[0] < p[1] and _type_ok(p[2], g[2])),
            None,
        )  # fmt: skip
        if hit is None:
            overlap[g[2]].fn += 1
        else:
            used.add(hit)
            overlap[g[2]].tp += 1
    for i, p in enumerate(pred):
        if i not in used:
            overlap[p[2].split("|")[0]].fp += 1
    return missed, false


def evaluate(system: System, lines: list[dict], *, errors: str | None = None) -> Result:
    result = Result(system.name, note=system.note, types=system.types)
    result.strict = {t: Score() for t in ENTITY_TYPES}
    result.overlap = {t: Score() for t in ENTITY_TYPES}
    texts = [line["text"] for line in lines]
    preds = [system.detect(t) for t in texts]  # also warms up lazy imports and caches
    for line, pred in zip(lines, preds, strict=True):
        gold = [(e["start"], e["end"], e["type"]) for e in line["entities"]]
        missed, false = _score_line(gold, pred, result.strict, result.overlap)
        split = line.get("split", "dev")
        if split not in result.by_split:
            result.by_split[split] = {t: Score() for t in ENTITY_TYPES}
        _score_line(gold, pred, result.by_split[split], {t: Score() for t in ENTITY_TYPES})
        if errors is not None and split != "heldout":
            text = line["text"]
            for s, e, k in missed:
                if errors in ("all", k):
                    print(f"MISS  {k:<14} {text[s:e]!r:<30} | {text}")
            for s, e, k in false:
                if errors in ("all", k.split("|")[0]):
                    print(f"FALSE {k:<14} {text[s:e]!r:<30} | {text}")
    return result


def speeds(systems: list[System], texts: list[str], repeats: int) -> list[float]:
    """Characters per CPU-second of this (single-threaded) process for each system, best
    of `repeats` passes over `texts`.

    CPU time rather than wall time: on a shared machine other processes would otherwise
    be counted against whichever system happened to run while they did. The passes are
    interleaved (one pass of each system per round), so slow drifts of the machine (clock,
    neighbours on the host) reach every system alike instead of whichever ran last.
    """
    total = sum(len(t) for t in texts)
    best = [float("inf")] * len(systems)
    for _ in range(repeats):
        for i, system in enumerate(systems):
            t0 = time.process_time()
            for t in texts:
                system.detect(t)
            best[i] = min(best[i], time.process_time() - t0)
    return [total / b if b > 0 else float("inf") for b in best]


def micro(scores: dict[str, Score], types: frozenset[str] | None = None) -> Score:
    out = Score()
    for t, s in scores.items():
        if types is None or t in types:
            out.tp += s.tp
            out.fp += s.fp
            out.fn += s.fn
    return out


def prose_texts() -> list[str]:
    """Plain Korean prose (data/sample), where identifiers are rare."""
    files = sorted((ROOT / "data" / "sample" / "train").glob("*.jsonl"))
    return [json.loads(line)["text"] for f in files for line in f.open(encoding="utf-8")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="labelled JSONL")
    parser.add_argument(
        "--natural", type=Path, default=NATURAL, help="second labelled JSONL ('' to skip)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--repeats", type=int, default=7, help="timing passes (best is kept)")
    parser.add_argument("--only-hanji", action="store_true", help="skip the other libraries")
    parser.add_argument("--errors", default=None, help="print hanji errors of a type (or all)")
    args = parser.parse_args()

    factories: list[tuple[str, Callable[[], System]]] = [("hanji", hanji_system)]
    if not args.only_hanji:
        factories += [("ko-pii", ko_pii_system), ("korean-pii", korean_pii_system)]
    systems: list[System] = []
    broken: list[Result] = []
    for label, factory in factories:
        try:
            systems.append(factory())
        except Exception as exc:  # a missing or broken library is reported, not fatal
            broken.append(Result(label, error=f"{type(exc).__name__}: {exc}"))
    sets = [args.eval] + ([args.natural] if str(args.natural) not in ("", ".") else [])
    payload: dict[str, object] = {"sets": []}
    prose = prose_texts()
    prose_speeds = speeds(systems, prose, args.repeats) if prose else [0.0] * len(systems)
    for path in sets:
        lines = [json.loads(x) for x in path.open(encoding="utf-8") if x.strip()]
        if args.errors is not None:
            print(f"\n--- hanji errors on {path.name} ---")
        results: list[Result] = []
        for system in systems:
            try:
                errors = args.errors if system.name == "hanji" else None
                results.append(evaluate(system, lines, errors=errors))
            except Exception as exc:  # a library that crashes on a line is reported
                results.append(Result(system.name, error=f"{type(exc).__name__}: {exc}"))
        eval_speeds = speeds(systems, [x["text"] for x in lines], args.repeats)
        for res, speed, prose_speed in zip(results, eval_speeds, prose_speeds, strict=True):
            res.chars_per_s = speed
            res.note = f"prose {prose_speed / 1e6:.2f} M chars/s" if prose_speed else ""
        payload["sets"].append(_report(path, lines, results + broken))  # type: ignore[union-attr]
    if args.json:
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwrote {args.json}")


def _cell(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f}/{s.f1:.3f}"


def _report(path: Path, lines: list[dict], results: list[Result]) -> dict[str, object]:
    """Print one set's table; return its figures for --json."""
    n_chars = sum(len(x["text"]) for x in lines)
    n_ents = sum(len(x["entities"]) for x in lines)
    print(f"\n{path.name}: {len(lines)} lines, {n_chars} chars, {n_ents} entities\n")
    ok = [r for r in results if not r.error]
    head = f"{'type':<18}" + "".join(f"{r.system:>24}" for r in ok)
    print("strict span F1 (P / R / F1)")
    print(head)
    for t in ENTITY_TYPES:
        row = f"{t:<18}"
        for r in ok:
            s = r.strict[t]
            cell = f"{s.precision:.2f}/{s.recall:.2f}/{s.f1:.3f}" if t in r.types else "-"
            row += f"{cell:>24}"
        print(row)
    for label, pick in (("micro (13 types)", None), ("micro (own types)", "own")):
        row = f"{label:<18}"
        for r in ok:
            row += f"{_cell(micro(r.strict, r.types if pick else None)):>24}"
        print(row)
    splits = list(dict.fromkeys(x.get("split", "dev") for x in lines))
    for split in splits:
        for label, types in (
            (f"{split} micro", None),
            (f"{split} PERSON", frozenset({"PERSON"})),
            (f"{split} ADDRESS", frozenset({"ADDRESS"})),
        ):
            row = f"{label:<18}"
            for r in ok:
                if types is not None and not types <= r.types:
                    row += f"{'-':>24}"
                    continue
                row += f"{_cell(micro(r.by_split.get(split, {}), types)):>24}"
            print(row)
    row = f"{'overlap micro':<18}"
    for r in ok:
        row += f"{_cell(micro(r.overlap)):>24}"
    print(row)
    row = f"{'chars/s (set)':<18}"
    for r in ok:
        row += f"{f'{r.chars_per_s / 1e6:.2f} M':>24}"
    print(row)
    row = f"{'chars/s (prose)':<18}"
    for r in ok:
        row += f"{r.note.replace('prose ', '').replace(' chars/s', ''):>24}"
    print(row)
    for r in results:
        if r.error:
            print(f"\n{r.system}: could not run ({r.error})")
    return {
        "eval": str(path),
        "lines": len(lines),
        "chars": n_chars,
        "entities": n_ents,
        "systems": [
            {
                "system": r.system,
                "error": r.error or None,
                "chars_per_s": r.chars_per_s,
                "prose": r.note,
                "micro_f1": micro(r.strict).f1 if not r.error else None,
                "micro_f1_own_types": micro(r.strict, r.types).f1 if not r.error else None,
                "overlap_micro_f1": micro(r.overlap).f1 if not r.error else None,
                "micro_f1_by_split": {k: micro(v).f1 for k, v in r.by_split.items()},
                "person_f1_by_split": {
                    k: micro(v, frozenset({"PERSON"})).f1 for k, v in r.by_split.items()
                },
                "address_f1_by_split": {
                    k: micro(v, frozenset({"ADDRESS"})).f1 for k, v in r.by_split.items()
                },
                "per_type": {
                    t: {"precision": s.precision, "recall": s.recall, "f1": s.f1,
                        "tp": s.tp, "fp": s.fp, "fn": s.fn}
                    for t, s in r.strict.items()
                },
            }
            for r in results
        ],
    }  # fmt: skip


if __name__ == "__main__":
    main()
