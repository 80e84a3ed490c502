"""One multiple-choice item for every published Korean benchmark schema.

Each format turns a record in its release's own field names into an `MCItem`: the prompt the
options continue, the options as scored continuations, and the index of the right one.
Prompts are written in Korean, in the style the original evaluations use. Formats that list
lettered options in the prompt (KMMLU, HAE-RAE, CLIcK) can score either the letters
(``mode="letters"``, as the published harnesses do) or the option texts (``mode="text"``).
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LETTERS = "ABCDEFGHIJ"
MODES = ("letters", "text")


@dataclass
class MCItem:
    prompt: str
    """What the options continue (zero-shot; few-shot examples are prepended when scored)."""
    options: list[str]
    """The scored continuations, each with its leading separator (usually one space)."""
    answer: int
    task: str = ""
    subject: str = ""
    """A sub-category for breakdowns: a KMMLU category, a CLIcK id prefix, a HAE-RAE part."""
    id: str = ""
    format: str = ""
    labels: list[str] = field(default_factory=list)
    """Readable option texts (for reports); defaults to the stripped continuations."""

    def __post_init__(self) -> None:
        if len(self.options) < 2:
            raise ValueError("an item needs at least two options")
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer {self.answer} out of range for {len(self.options)} options")
        if not self.labels:
            self.labels = [o.strip() for o in self.options]

    def demo(self) -> str:
        """The item solved: how it appears as a few-shot example."""
        return self.prompt + self.options[self.answer]


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value if value is not None else "")).strip()


def _label(rec: dict[str, Any], n: int) -> int:
    value = int(rec["label"])
    if not 0 <= value < n:
        raise ValueError(f"label {value} not in 0..{n - 1}")
    return value


def _lettered(prompt: str, texts: list[str], answer: int, mode: str, **kw: Any) -> MCItem:
    if mode == "letters":
        options = [f" {LETTERS[i]}" for i in range(len(texts))]
    else:
        options = [f" {t}" for t in texts]
    return MCItem(prompt, options, answer, labels=texts, **kw)


def kobest_boolq(rec: dict[str, Any], mode: str) -> MCItem:
    prompt = f"{_nfc(rec['paragraph'])}\n질문: {_nfc(rec['question'])}\n답변:"
    return MCItem(prompt, [" 아니오", " 예"], _label(rec, 2))


def kobest_copa(rec: dict[str, Any], mode: str) -> MCItem:
    kind = _nfc(rec["question"])
    connective = {"원인": "왜냐하면", "결과": "그래서"}.get(kind)
    if connective is None:
        raise ValueError(f"question must be '원인' or '결과', got {kind!r}")
    alts = [_nfc(rec["alternative_1"]), _nfc(rec["alternative_2"])]
    return MCItem(f"{_nfc(rec['premise'])} {connective}", [f" {a}" for a in alts], _label(rec, 2))


def kobest_hellaswag(rec: dict[str, Any], mode: str) -> MCItem:
    endings = [_nfc(rec[f"ending_{i}"]) for i in range(1, 5)]
    return MCItem(_nfc(rec["context"]), [f" {e}" for e in endings], _label(rec, 4))


def kobest_sentineg(rec: dict[str, Any], mode: str) -> MCItem:
    return MCItem(f"문장: {_nfc(rec['sentence'])}\n감정:", [" 부정", " 긍정"], _label(rec, 2))


def kobest_wic(rec: dict[str, Any], mode: str) -> MCItem:
    prompt = (
        f"문장 1: {_nfc(rec['context_1'])}\n문장 2: {_nfc(rec['context_2'])}\n"
        f"질문: 두 문장에서 '{_nfc(rec['word'])}'의 뜻이 같은가?\n답변:"
    )
    return MCItem(prompt, [" 아니오", " 예"], _label(rec, 2))


def kmmlu(rec: dict[str, Any], mode: str) -> MCItem:
    texts = [_nfc(rec[k]) for k in "ABCD"]
    answer = int(rec["answer"]) - 1  # KMMLU numbers the right option 1..4
    if not 0 <= answer < 4:
        raise ValueError(f"answer must be 1..4, got {rec['answer']!r}")
    listed = "\n".join(f"{LETTERS[i]}. {t}" for i, t in enumerate(texts))
    prompt = f"{_nfc(rec['question'])}\n{listed}\n정답:"
    return _lettered(prompt, texts, answer, mode, subject=_nfc(rec.get("Category")))


def _option_list(value: Any) -> list[str]:
    # HAE-RAE ships its options as the text of a Python list: "['가', '나', ...]".
    if isinstance(value, str):
        value = ast.literal_eval(value)
    if not isinstance(value, list | tuple):
        raise ValueError("options must be a list")
    return [_nfc(v) for v in value]


def haerae(rec: dict[str, Any], mode: str) -> MCItem:
    texts = _option_list(rec["options"])
    letter = _nfc(rec["answer"]).strip("() ").upper()
    answer = LETTERS.find(letter) if len(letter) == 1 else -1
    if not 0 <= answer < len(texts):
        raise ValueError(f"answer must be one of (A)..({LETTERS[len(texts) - 1]}), got {letter!r}")
    prompt = unicodedata.normalize("NFC", str(rec["query"])).rstrip()
    if mode == "letters":  # the query already lists the options as (A) ... (E)
        options = [f" ({LETTERS[i]})" for i in range(len(texts))]
        return MCItem(prompt, options, answer, labels=texts, subject=_nfc(rec.get("category")))
    return MCItem(prompt, [f" {t}" for t in texts], answer, subject=_nfc(rec.get("category")))


def click(rec: dict[str, Any], mode: str) -> MCItem:
    texts = [_nfc(c) for c in rec["choices"]]
    gold = rec["answer"]
    answer = int(gold) if isinstance(gold, int) else texts.index(_nfc(gold))
    paragraph = _nfc(rec.get("paragraph"))
    listed = "\n".join(f"{LETTERS[i]}. {t}" for i, t in enumerate(texts))
    head = f"지문: {paragraph}\n" if paragraph else ""
    prompt = f"{head}질문: {_nfc(rec['question'])}\n보기:\n{listed}\n정답:"
    ident = _nfc(rec.get("id"))
    return _lettered(prompt, texts, answer, mode, subject=ident.rsplit("_", 1)[0], id=ident)


Builder = Callable[[dict[str, Any], str], MCItem]


@dataclass(frozen=True)
class Format:
    name: str
    build: Builder
    fields: tuple[str, ...]
    """Fields that identify the schema (all must be present)."""
    mode: str = "text"
    """Default scoring mode: what the original evaluation scores."""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        # most specific first: inference takes the first whose fields are all present
        Format("kobest_copa", kobest_copa, ("premise", "alternative_1", "alternative_2")),
        Format("kobest_hellaswag", kobest_hellaswag, ("context", "ending_1", "ending_4")),
        Format("kobest_wic", kobest_wic, ("word", "context_1", "context_2", "label")),
        Format("kmmlu", kmmlu, ("question", "answer", "A", "B", "C", "D"), "letters"),
        Format("click", click, ("question", "choices", "answer")),
        Format("haerae", haerae, ("query", "options", "answer"), "letters"),
        Format("kobest_boolq", kobest_boolq, ("paragraph", "question", "label")),
        Format("kobest_sentineg", kobest_sentineg, ("sentence", "label")),
    )
}


def infer_format(record: dict[str, Any]) -> str | None:
    for fmt in FORMATS.values():
        if all(k in record for k in fmt.fields):
            return fmt.name
    return None


def to_item(fmt: str, record: dict[str, Any], *, mode: str | None = None, task: str = "") -> MCItem:
    """One record in a published schema → an item; raises ValueError/KeyError on bad records."""
    spec = FORMATS[fmt]
    mode = mode or spec.mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    item = spec.build(record, mode)
    item.task = task or fmt
    item.format = fmt
    return item
