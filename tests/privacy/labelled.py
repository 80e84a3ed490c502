"""The labelled PII sets' shared reading: load the JSONL, check one row's gold spans."""

from __future__ import annotations

import json
from pathlib import Path

from hanji.privacy import ENTITY_TYPES


def load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def check_row(row: dict) -> set[str]:
    """Assert the row's gold spans are typed, ordered, inside the text and trimmed; return
    their types."""
    text = row["text"]
    assert isinstance(text, str) and text
    last = 0
    for e in sorted(row["entities"], key=lambda e: e["start"]):
        assert e["type"] in ENTITY_TYPES
        assert last <= e["start"] < e["end"] <= len(text)
        assert text[e["start"] : e["end"]].strip() == text[e["start"] : e["end"]]
        last = e["end"]
    return {e["type"] for e in row["entities"]}
