"""The build's lexicon stage: mine the corpus, then probe on held-out sentences.

`hanji lexicon mine` holds its probe sentences out of ``train_docs.jsonl``, but inside a
build those sentences are still in the corpus shards the model trains on. So the build
writes its probe from the recipe's held-out files instead: sentences the model never saw,
for words it did see. The miner's own probe is kept as ``probe_mined.jsonl``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from hanji.textfiles import iter_texts


def mine_for_build(
    *,
    inputs: list[Path],
    out: Path,
    heldout: list[Path],
    reference: list[Path],
    glossary: Path | None,
    top_k: int | None,
    min_score: float | None,
    probe_per_word: int = 3,
) -> dict[str, Any]:
    from hanji.lexicon import MineConfig, load_glossary, mine_with_stats, write_outputs
    from hanji.lexicon.probe import make_item
    from hanji.lexicon.segment import split_sentences

    kw: dict[str, Any] = {}
    if top_k is not None:
        kw["top"] = top_k
    if min_score is not None:
        kw["min_score"] = min_score
    config = MineConfig(**kw)
    texts = list(iter_texts(inputs))
    ref = list(iter_texts(reference)) if reference else None
    result = mine_with_stats(texts, reference=ref, config=config)
    summary = write_outputs(
        result, out, glossary=load_glossary(glossary) if glossary else None, config=config
    )
    accepted = [w for w in (out / "must_have.txt").read_text("utf-8").splitlines() if w]

    items = []
    if heldout and accepted:
        shutil.move(out / "probe.jsonl", out / "probe_mined.jsonl")
        per_word: dict[str, int] = {}
        for text in iter_texts(heldout):
            for sentence in split_sentences(text):
                for word in accepted:
                    if per_word.get(word, 0) >= probe_per_word or word not in sentence:
                        continue
                    item = make_item(
                        word, sentence.strip(), accepted, result.common_words, config.seed
                    )
                    if item is not None:
                        items.append(item.as_record())
                        per_word[word] = per_word.get(word, 0) + 1
        with (out / "probe.jsonl").open("w", encoding="utf-8") as fh:
            for rec in items:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return {
        "candidates": len(result.candidates),
        "accepted": len(accepted),
        "top": accepted[:20],
        "probe_items": len(items) if heldout else summary.probes,
        "probe_words": len({i["word"] for i in items}),
    }
