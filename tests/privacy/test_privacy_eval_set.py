"""The labelled evaluation set is well formed, and hanji still scores well on it."""

from pathlib import Path

from labelled import check_row, load

from hanji.privacy import ENTITY_TYPES, detect

EVAL = Path(__file__).resolve().parents[1] / "data" / "pii_eval.jsonl"


def _load() -> list[dict]:
    return load(EVAL)


def test_eval_set_is_well_formed():
    rows = _load()
    assert len(rows) >= 500
    seen: set[str] = set()
    for row in rows:
        seen |= check_row(row)
    assert seen == set(ENTITY_TYPES)
    assert sum(1 for r in rows if not r["entities"]) >= 100  # hard negatives


def test_micro_f1_does_not_regress():
    tp = fp = fn = 0
    for row in _load():
        gold = {(e["start"], e["end"], e["type"]) for e in row["entities"]}
        pred = {(e.start, e.end, e.type) for e in detect(row["text"])}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.95


def test_the_attack_matrix_split_loses_no_number_and_invents_none():
    """The "variants" split: numeric identifiers written as a hostile client would are all
    found where they stand, and disguised dates, prices and order numbers stay untouched."""
    rows = [r for r in _load() if r["split"] == "variants"]
    assert len(rows) >= 150
    numeric = {"RRN", "FRN", "CARD", "ACCOUNT", "PHONE", "BRN", "CRN"}
    missed, invented = [], []
    for row in rows:
        gold = {(e["start"], e["end"], e["type"]) for e in row["entities"]}
        pred = {(e.start, e.end, e.type) for e in detect(row["text"])}
        missed += [g for g in gold - pred if g[2] in numeric]
        invented += [p for p in pred - gold if p[2] in numeric]
    assert missed == [] and invented == []
