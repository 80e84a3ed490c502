"""The shipped sample corpus keeps its promises: size, domains, a clean held-out split."""

import json
import unicodedata
from pathlib import Path

import pytest

from hanji.recipe import DOMAINS

ROOT = Path(__file__).parents[2] / "data" / "sample"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _hangul(text: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFC", text) if "가" <= c <= "힣")


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict[str, list[dict]]]:
    return {
        split: {d: _load(ROOT / split / f"{d}.jsonl") for d in DOMAINS}
        for split in ("train", "heldout")
    }


def test_schema_and_ids(corpus) -> None:
    ids = set()
    for split in corpus.values():
        for domain, docs in split.items():
            for doc in docs:
                assert set(doc) == {"id", "text", "domain", "source", "date"}, doc["id"]
                assert doc["domain"] == domain and doc["text"].strip()
                assert doc["id"] not in ids
                ids.add(doc["id"])


def test_size_per_domain_and_in_total(corpus) -> None:
    total = 0
    for domain in DOMAINS:
        train, held = corpus["train"][domain], corpus["heldout"][domain]
        assert len(train) >= 40, domain
        assert len(held) >= 0.1 * (len(train) + len(held)) - 1e-9, domain
        total += sum(_hangul(d["text"]) for d in train + held)
    assert total >= 80_000


def test_heldout_does_not_overlap_training(corpus) -> None:
    def shingles(text: str, n: int = 30) -> set[str]:
        t = unicodedata.normalize("NFC", text)
        return {t[i : i + n] for i in range(0, max(len(t) - n + 1, 1))}

    train = set()
    for docs in corpus["train"].values():
        for d in docs:
            train |= shingles(d["text"])
    for docs in corpus["heldout"].values():
        for d in docs:
            assert not shingles(d["text"]) & train, d["id"]
            assert unicodedata.is_normalized("NFC", d["text"]), d["id"]


def test_planted_dirt_is_there(corpus) -> None:
    train = corpus["train"]
    texts = [d["text"] for d in train["textbook"]]
    assert len(texts) > len(set(texts)), "exact duplicate"
    assert any(not unicodedata.is_normalized("NFC", d["text"]) for d in train["encyclopedia"])
    assert any("무단전재" in d["text"] for d in train["news"])
    assert any("010-" in d["text"] for d in train["news"])
    english = [d for d in train["literature"] if _hangul(d["text"]) < 0.2 * len(d["text"])]
    assert english, "mostly-English document"


def test_glossary_covers_the_neologisms(corpus) -> None:
    glossary = _load(ROOT / "glossary.jsonl")
    assert len(glossary) >= 20
    train_text = "\n".join(d["text"] for d in corpus["train"]["neologism"])
    for entry in glossary:
        assert entry["meaning"] and train_text.count(entry["word"]) >= 10, entry["word"]


def test_sft_set_is_loadable_and_covers_the_neologisms() -> None:
    from hanji.train.sources import load_conversations

    sft = ROOT / "sft"
    train = load_conversations(sorted(sft.glob("train_*.jsonl")))
    held = load_conversations(sorted(sft.glob("heldout_*.jsonl")))
    assert len(train) >= 200 and len(held) >= 20
    users = {m["content"] for c in train for m in c if m["role"] == "user"}
    assert not {m["content"] for c in held for m in c if m["role"] == "user"} & users
    asked = " ".join(users)
    for entry in _load(ROOT / "glossary.jsonl"):
        assert entry["word"] in asked, entry["word"]
