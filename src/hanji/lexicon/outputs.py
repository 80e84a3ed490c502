"""Write the mining artefacts: candidates, glossary, training documents, probe, word lists.

Probe sentences are chosen first and then kept out of every other file (train_docs and
the contexts of candidates.jsonl), so the probe tests usage the model has not been shown
by this stage. Definitions come only from the user's glossary file, never from the miner.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hanji.lexicon.config import MineConfig
from hanji.lexicon.mine import Candidate, MineResult
from hanji.lexicon.probe import ProbeItem, make_item, occurrences
from hanji.text.io import ReadError, read_jsonl

DOMAIN = "neologism"
SOURCE = "hanji-lexicon"


@dataclass
class OutputSummary:
    """What `write_outputs` wrote, for the CLI report and for `report.json`."""

    out_dir: Path
    candidates: int = 0
    accepted: list[str] = field(default_factory=list)
    domain_terms: int = 0
    typos: dict[str, str] = field(default_factory=dict)
    """Rare words dropped as typos, each with the common word it misspells."""
    train_docs: int = 0
    probes: int = 0
    without_meaning: list[str] = field(default_factory=list)
    glossary_not_accepted: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "out_dir": str(self.out_dir),
            "candidates": self.candidates,
            "accepted": self.accepted,
            "domain_terms": self.domain_terms,
            "dropped_as_typos": self.typos,
            "train_docs": self.train_docs,
            "probes": self.probes,
            "accepted_without_meaning": self.without_meaning,
            "glossary_words_not_accepted": self.glossary_not_accepted,
        }


def load_glossary(path: str | Path) -> dict[str, str]:
    """Read `{"word", "meaning"}` JSONL lines (blank lines allowed), in NFC.

    A line without a non-empty string `word` and a string `meaning` is an error naming the
    file, line and field: a definition silently lost would leave its word without meaning.
    """
    glossary: dict[str, str] = {}
    try:
        lines = list(read_jsonl(path))
    except ReadError as exc:
        raise ValueError(f"--glossary {exc}") from None
    for n, record in lines:
        if not isinstance(record, dict):
            raise ValueError(f"--glossary {path}:{n}: 객체가 아닙니다 / not a JSON object")
        word, meaning = record.get("word"), record.get("meaning")
        for name, value in (("word", word), ("meaning", meaning)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(
                    f"--glossary {path}:{n}: '{name}' 필드가 없습니다 / "
                    f"missing or empty string field '{name}'"
                )
        glossary[word.strip()] = meaning.strip()
    return glossary


def accepted_words(candidates: list[Candidate], config: MineConfig) -> list[Candidate]:
    """Candidates within `--top` that score at least `--min-score`, best first."""
    ranked = candidates if config.top is None else candidates[: config.top]
    return [c for c in ranked if c.score >= config.min_score]


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
    os.replace(tmp, path)


def _jsonl(path: Path, records: Iterable[dict[str, object]]) -> None:
    _write_lines(path, (json.dumps(r, ensure_ascii=False) for r in records))


def hold_out(accepted: list[Candidate], config: MineConfig) -> dict[str, list[str]]:
    """Choose probe sentences per accepted word: one occurrence only, never shared."""
    taken: set[str] = set()
    chosen: dict[str, list[str]] = {}
    for cand in accepted:
        n = len(cand.contexts)
        want = min(config.probe_per_word, max(1 if n >= 3 else 0, int(n * config.probe_fraction)))
        picks: list[str] = []
        for sentence in cand.contexts:
            if len(picks) >= want:
                break
            one = sentence.count(cand.word) == 1 and len(occurrences(sentence, cand.word)) == 1
            if sentence in taken or not one or len(sentence.split()) < config.probe_min_words:
                continue
            picks.append(sentence)
            taken.add(sentence)
        chosen[cand.word] = picks
    return chosen


def _doc_id(word: str) -> str:
    return "neologism-" + hashlib.sha1(word.encode("utf-8")).hexdigest()[:12]


def write_outputs(
    result: MineResult | list[Candidate],
    out_dir: str | Path,
    *,
    glossary: dict[str, str] | None = None,
    config: MineConfig | None = None,
    report: dict[str, object] | None = None,
) -> OutputSummary:
    """Write every artefact of `hanji lexicon mine` into `out_dir` (created if missing).

    Files: candidates.jsonl, glossary.jsonl, train_docs.jsonl, probe.jsonl,
    must_have.txt, domain_terms.jsonl, kiwi_user_words.tsv and report.json (counts, plus
    `report` merged in).
    """
    config = config or MineConfig()
    glossary = glossary or {}
    if isinstance(result, MineResult):
        candidates, common = result.candidates, result.common_words
        domain, typos = result.domain_terms, result.typos
    else:
        candidates, common, domain, typos = result, [], [], {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    accepted = accepted_words(candidates, config)
    held = hold_out(accepted, config)
    held_all = {s for picks in held.values() for s in picks}
    accepted_set = {c.word for c in accepted}
    # Distractors come from accepted words and near-misses that still behave like nouns;
    # low-ranked candidates are often verb stems (이루) that would make a valid sentence.
    neologisms = [c.word for c in accepted] + [
        c.word
        for c in candidates
        if c.word not in accepted_set
        and c.score >= config.min_score / 2
        and c.features.get("noun", 0.0) >= 0.8
    ]

    def visible(cand: Candidate) -> list[str]:
        return [s for s in cand.contexts if s not in held_all]

    _jsonl(
        out / "candidates.jsonl",
        (
            Candidate(
                c.word, c.score, c.freq, c.docs, visible(c), c.features, c.analysis
            ).as_record()
            for c in candidates
        ),
    )
    _jsonl(
        out / "glossary.jsonl",
        (
            {
                "word": c.word,
                "meaning": glossary.get(c.word),
                "score": round(c.score, 4),
                "freq": c.freq,
            }
            for c in accepted
        ),
    )

    docs: list[dict[str, object]] = []
    for cand in accepted:
        sentences = visible(cand)
        meaning = glossary.get(cand.word)
        if not sentences and not meaning:
            continue
        head = [f"{cand.word}: {meaning}"] if meaning else []
        docs.append(
            {
                "id": _doc_id(cand.word),
                "text": "\n".join(head + sentences),
                "domain": DOMAIN,
                "source": f"{SOURCE}:{'glossary+contexts' if meaning else 'contexts'}",
                "word": cand.word,
            }
        )
    _jsonl(out / "train_docs.jsonl", docs)

    items: list[ProbeItem] = []
    for cand in accepted:
        for sentence in held.get(cand.word, []):
            item = make_item(cand.word, sentence, neologisms, common, config.seed)
            if item is not None:
                items.append(item)
    _jsonl(out / "probe.jsonl", (item.as_record() for item in items))

    _write_lines(out / "must_have.txt", (c.word for c in accepted))
    _jsonl(out / "domain_terms.jsonl", (d.as_record() for d in domain))
    _write_lines(
        out / "kiwi_user_words.tsv", (f"{c.word}\tNNP\t{round(c.score, 4)}" for c in accepted)
    )

    summary = OutputSummary(
        out_dir=out,
        candidates=len(candidates),
        accepted=[c.word for c in accepted],
        domain_terms=len(domain),
        typos=dict(sorted(typos.items())),
        train_docs=len(docs),
        probes=len(items),
        without_meaning=[c.word for c in accepted if c.word not in glossary],
        glossary_not_accepted=sorted(w for w in glossary if w not in accepted_set),
    )
    full_report = {**(report or {}), **summary.as_dict()}
    _write_lines(out / "report.json", [json.dumps(full_report, ensure_ascii=False, indent=2)])
    return summary
