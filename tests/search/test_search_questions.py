"""The retrieval set's labels (bench/retrieval.py): two halves, every label keyed and pinned."""

from __future__ import annotations

import json
from pathlib import Path

QUESTIONS = Path(__file__).parents[1] / "data" / "search" / "retrieval_questions.jsonl"


def test_questions_have_two_equal_halves_and_pinned_labels() -> None:
    meta, *items = (json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines())
    assert meta["package"] == "debian-faq-ko" and meta["pages_sha256"]
    halves = [q["half"] for q in items]
    assert halves.count("tune") == halves.count("heldout") == len(items) // 2
    assert len({q["id"] for q in items}) == len(items)
    assert len({q["question"] for q in items}) == len(items)
    for q in items:
        assert q["relevant"], q["id"]
        for key in q["relevant"]:
            package, _, rest = key.partition(":")
            path, _, anchor = rest.partition("#")
            assert package == meta["package"] and anchor, key
            assert len(meta["pages_sha256"][path]) == 64, key  # the labelled page version
