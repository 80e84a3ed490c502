"""End to end: the sample corpus's planted dirt, accounting, outputs, resume, bad input."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hanji.corpus import build_corpus
from hanji.corpus.writer import COLUMNS
from hanji.recipe import DOMAINS, Recipe

from .conftest import ARTICLE, SAMPLE, sample_records, write_jsonl


def shards(out: Path) -> dict[str, list[dict]]:
    """Rows per shard file, keyed by its path under out/shards."""
    return {
        str(p.relative_to(out / "shards")): pq.read_table(p).to_pylist()
        for p in sorted((out / "shards").glob("*/*.parquet"))
    }


def all_rows(out: Path) -> dict[str, dict]:
    return {r["id"]: r for rows in shards(out).values() for r in rows}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The whole sample train split, decontaminated against the held-out split."""
    from hanji.recipe import parse_recipe

    tmp = tmp_path_factory.mktemp("sample")
    sources = [
        {"path": str(SAMPLE / "train" / f"{d}.jsonl"), "domain": d, "license": "Apache-2.0"}
        for d in DOMAINS
    ]
    recipe = parse_recipe(
        {
            "corpus": {
                "sources": sources,
                "workers": 1,
                "decontaminate": [str(SAMPLE / "heldout" / "*.jsonl")],
                "weights": {"neologism": 1.5},
            }
        },
        path=tmp / "recipe.toml",
    )
    out = tmp / "out"
    return out, build_corpus(recipe, out, workers=1, progress=False)


def test_sample_dirt_is_caught(sample_run: tuple[Path, dict]) -> None:
    out, stats = sample_run
    rows = all_rows(out)
    assert stats["kept"] + sum(stats["dropped"].values()) == stats["read"] and stats["accounted"]
    assert stats["dropped"]["exact_duplicate"] == 1 and "textbook-0046" not in rows
    assert "textbook-0007" in rows
    assert stats["dropped"]["near_duplicate"] == 1
    assert ("encyclopedia-0012" in rows) != ("encyclopedia-0037" in rows)
    assert stats["dropped"]["not_korean"] == 1 and "literature-0029" not in rows
    # the drop keeps the language identifier's label: an English travel note
    assert [k.split()[0] for k in stats["drop_details"]["not_korean"]] == ["en"]
    assert "- en 0." in (out / "datacard.md").read_text("utf-8")
    steps = {s["step"]: s for s in stats["steps"]}
    assert steps["normalise"]["fixed"]["nfd"] == 1
    assert steps["lines"]["fixed"]["boilerplate_lines"] >= 10
    assert all(unicodedata.is_normalized("NFC", r["text"]) for r in rows.values())
    news = [r["text"] for r in rows.values() if r["domain"] == "news"]
    for furniture in ("홈 > 사회", "구독하기 | 로그인", "무단전재 및 재배포 금지", "ⓒ 한지일보"):
        assert not any(furniture in t for t in news), furniture
    phishing = rows["news-0033"]["text"]
    for secret in ("850314-1234562", "010-1234-5678", "@example.com"):
        assert secret not in phishing
    assert "보이스피싱" in phishing


def test_sample_outputs_follow_the_contract(sample_run: tuple[Path, dict]) -> None:
    out, stats = sample_run
    files = shards(out)
    assert {k.split("/")[0] for k in files} == set(DOMAINS)
    assert all(k.split("/")[1].endswith(".parquet") and len(k.split("/")[1]) == 13 for k in files)
    schema = pq.read_schema(next((out / "shards").glob("news/*.parquet")))
    assert tuple(schema.names) == COLUMNS and schema.field("n_chars").type == pa.int64()
    row = all_rows(out)["news-0001"]
    assert row["source"] == "hanji-sample" and row["date"] == "2023-03-14"
    assert row["n_chars"] == len(row["text"]) and 0 < row["n_hangul"] < row["n_chars"]
    assert row["origin"].endswith("news.jsonl:1") and row["license"] == "Apache-2.0"
    saved = json.loads((out / "stats.json").read_text("utf-8"))
    assert saved["read"] == stats["read"] and set(saved) >= {
        "read",
        "kept",
        "dropped",
        "steps",
        "domains",
    }
    assert sum(d["docs"] for d in saved["domains"].values()) == saved["kept"]
    mix = json.loads((out / "mixture.json").read_text("utf-8"))
    assert set(mix) >= {"probabilities", "epochs", "weights", "chars", "max_epochs"}
    assert sum(mix["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert mix["probabilities"]["neologism"] > mix["probabilities"]["news"]
    card = (out / "datacard.md").read_text("utf-8")
    assert "exact_duplicate" in card and "| news |" in card


def small_recipe(make_recipe: Callable[..., Recipe], tmp_path: Path, **corpus: object) -> Recipe:
    sources = []
    for d in ("news", "textbook", "literature"):
        path = write_jsonl(tmp_path / "in" / f"{d}.jsonl", sample_records(d, 6))
        sources.append({"path": str(path), "domain": d})
    return make_recipe(sources, **corpus)


def test_rerun_after_completion_and_after_a_kill_ends_the_same(
    make_recipe: Callable[..., Recipe], tmp_path: Path
) -> None:
    recipe = small_recipe(make_recipe, tmp_path)
    out = tmp_path / "out"
    first = build_corpus(recipe, out, progress=False)
    before = shards(out)
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "shards").glob("*/*.parquet")}

    again = build_corpus(recipe, out, progress=False)  # everything is complete: nothing runs
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert again["kept"] == first["kept"] and again["dropped"] == first["dropped"]

    # a kill in the last stage: rank 1's shard is half-written and has no completion marker
    (out / "logs" / "final" / "completions" / "00001").unlink()
    victim = next((out / "shards").glob("*/00001.parquet"))
    victim.write_bytes(victim.read_bytes()[:20])
    build_corpus(recipe, out, progress=False)
    assert shards(out) == before

    # a kill in the first stage: every later stage is redone, with the same result
    (out / "logs" / "filter" / "completions" / "00002").unlink()
    resumed = build_corpus(recipe, out, progress=False)
    assert shards(out) == before and resumed["dropped"] == first["dropped"]


def test_changed_input_starts_over(make_recipe: Callable[..., Recipe], tmp_path: Path) -> None:
    recipe = small_recipe(make_recipe, tmp_path, near_dedup=False)
    out = tmp_path / "out"
    first = build_corpus(recipe, out, progress=False)
    path = tmp_path / "in" / "news.jsonl"
    path.write_text(
        path.read_text("utf-8")
        + json.dumps({"id": "new", "text": ARTICLE}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    second = build_corpus(recipe, out, progress=False)
    assert second["read"] == first["read"] + 1 and "new" in all_rows(out)


def test_bad_input_never_crashes_and_is_accounted(
    make_recipe: Callable[..., Recipe], tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    texts = [r["text"] for r in sample_records("news", 3)]
    good = json.dumps({"id": "ok", "text": texts[0]}, ensure_ascii=False)
    nfd = json.dumps(
        {"id": "nfd", "text": unicodedata.normalize("NFD", texts[1])}, ensure_ascii=False
    )
    zw = json.dumps({"id": "zw", "text": "한\u200b지 " + texts[2]}, ensure_ascii=False)
    huge = json.dumps({"id": "huge", "text": "가나다라 " * 800_000}, ensure_ascii=False)
    (src / "a.jsonl").write_bytes(
        "\n".join([good, "{broken", nfd, zw, huge]).encode() + b"\n" + b'{"text": "\xff\xfe"}\n'
    )
    (src / "b.jsonl").write_bytes(b"")
    pq.write_table(pa.table({"text": [ARTICLE] * 3}), src / "c.parquet")
    raw = (src / "c.parquet").read_bytes()
    (src / "c.parquet").write_bytes(raw[: len(raw) // 2])
    recipe = make_recipe(
        [
            {"path": str(src / "*.jsonl"), "domain": "news"},
            {"path": str(src / "c.parquet"), "format": "parquet"},
        ]
    )
    stats = build_corpus(recipe, tmp_path / "out", progress=False)
    assert stats["accounted"] and stats["read"] == 8
    assert stats["kept"] == 3 and set(all_rows(tmp_path / "out")) == {"ok", "nfd", "zw"}
    for reason in ("malformed_json", "too_long", "invalid_utf8", "empty_file", "unreadable_file"):
        assert stats["dropped"][reason] == 1, reason
    fixed = {s["step"]: s["fixed"] for s in stats["steps"]}["normalise"]
    assert fixed == {"nfd": 1, "zero_width": 1}
    places = [w["where"] for w in stats["warnings"]]
    assert f"{src / 'a.jsonl'}:2" in places and f"{src / 'a.jsonl'}:5" in places


def test_parallel_workers_write_the_same_shards(
    make_recipe: Callable[..., Recipe], tmp_path: Path
) -> None:
    recipe = small_recipe(make_recipe, tmp_path, near_dedup=False)  # fewer process pools
    build_corpus(recipe, tmp_path / "one", workers=1, progress=False)
    build_corpus(recipe, tmp_path / "two", workers=2, progress=False)
    assert shards(tmp_path / "one") == shards(tmp_path / "two")
