"""Probe items: a held-out sentence with the neologism blanked and four options.

Distractors have the same length and the same final consonant (받침) as the answer
where possible, so that the particle after the blank (`___을` vs `___를`) gives nothing
away; they come from other candidates first, then from common nouns of the input.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hanji.lexicon.segment import has_final_consonant, split_sentences

BLANK = "___"


@dataclass(frozen=True)
class ProbeItem:
    """One multiple-choice item; score `prefix + option + suffix` for each option.

    Written by the miner (`probe.jsonl`) and read back by the evaluator; `id` and
    `context` are empty for hand-written items that do not give them.
    """

    prefix: str
    suffix: str
    options: list[str]
    answer: int
    word: str = ""
    id: str = ""
    context: str = ""

    def as_record(self) -> dict[str, object]:
        """The `probe.jsonl` row."""
        return {
            "id": self.id,
            "word": self.word,
            "context": self.context,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "options": self.options,
            "answer": self.answer,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> ProbeItem:
        """An item from a `probe.jsonl` row: ``prefix``/``suffix`` around the blank, or a
        ``context`` (or ``sentence``) holding the blank ``___``.

        Raises KeyError, TypeError or ValueError when the row is not an item.
        """
        options = [str(o) for o in rec["options"]]
        answer = int(rec["answer"])
        if "prefix" in rec:
            prefix, suffix = rec["prefix"], rec.get("suffix", "")
            context = rec.get("context", "")
        else:
            context = rec.get("context") or rec["sentence"]
            prefix, _, suffix = context.partition(BLANK)
        if not 0 <= answer < len(options):
            raise ValueError(f"answer {answer} out of range")
        return cls(
            prefix,
            suffix,
            options,
            answer,
            word=rec.get("word", ""),
            id=rec.get("id", ""),
            context=context,
        )


def occurrences(sentence: str, word: str) -> list[int]:
    """Offsets where `word` starts a Hangul run (갓생 in 갓생을, not in 반갓생)."""
    return [m.start() for m in re.finditer(rf"(?<![가-힣]){re.escape(word)}", sentence)]


def _fits(word: str, other: str, same_length: bool) -> bool:
    if other == word or not other:
        return False
    if has_final_consonant(other) != has_final_consonant(word):
        return False
    return len(other) == len(word) if same_length else abs(len(other) - len(word)) <= 1


def pick_distractors(
    word: str,
    sentence: str,
    neologisms: Sequence[str],
    common: Sequence[str],
    rng: random.Random,
    k: int = 3,
) -> list[str]:
    """Up to two other candidates and the rest common nouns, loosening the match if short."""
    chosen: list[str] = []

    def usable(w: str) -> bool:
        return w not in chosen and w not in sentence and w != word

    for same_length in (True, False):
        neo = [w for w in neologisms if _fits(word, w, same_length) and usable(w)]
        rng.shuffle(neo)
        chosen.extend(neo[: max(0, min(2, k - len(chosen)))])
        com = [w for w in common if _fits(word, w, same_length) and usable(w)]
        rng.shuffle(com)
        chosen.extend(com[: k - len(chosen)])
        neo = [w for w in neo if usable(w)]
        chosen.extend(neo[: k - len(chosen)])
        if len(chosen) >= k:
            return chosen[:k]
    rest = [w for w in list(neologisms) + list(common) if usable(w)]
    rng.shuffle(rest)
    chosen.extend(rest[: k - len(chosen)])
    return chosen[:k]


def make_item(
    word: str,
    sentence: str,
    neologisms: Sequence[str],
    common: Sequence[str],
    seed: int,
) -> ProbeItem | None:
    """An item for `word` in `sentence`, or None when the sentence does not fit a probe."""
    spots = occurrences(sentence, word)
    if len(spots) != 1:
        return None
    digest = hashlib.sha1(f"{seed}\t{word}\t{sentence}".encode()).hexdigest()
    rng = random.Random(int(digest[:12], 16))
    distractors = pick_distractors(word, sentence, neologisms, common, rng)
    if len(distractors) < 3:
        return None
    options = [word, *distractors]
    rng.shuffle(options)
    start = spots[0]
    prefix, suffix = sentence[:start], sentence[start + len(word) :]
    return ProbeItem(
        prefix=prefix,
        suffix=suffix,
        options=options,
        answer=options.index(word),
        word=word,
        id=f"neo-{digest[:12]}",
        context=prefix + BLANK + suffix,
    )


def heldout_items(
    texts: Iterable[str],
    words: Sequence[str],
    common: Sequence[str],
    seed: int,
    per_word: int = 3,
) -> list[ProbeItem]:
    """Probe items for `words` from held-out texts: sentences the model never trained on.

    `hanji lexicon mine` holds its probe sentences out of `train_docs.jsonl`, but inside a
    build those sentences are still in the corpus shards the model trains on; the build
    probes on the recipe's held-out files instead. At most `per_word` items per word;
    distractors come from the other `words` and from `common` nouns.
    """
    items: list[ProbeItem] = []
    per: dict[str, int] = {}
    for text in texts:
        for sentence in split_sentences(text):
            for word in words:
                if per.get(word, 0) >= per_word or word not in sentence:
                    continue
                item = make_item(word, sentence.strip(), words, common, seed)
                if item is not None:
                    items.append(item)
                    per[word] = per.get(word, 0) + 1
    return items
