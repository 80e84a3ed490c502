"""The TOML recipe: one file describes a whole build, one section per stage.

Relative paths in a recipe are resolved against the folder that holds the recipe file,
so a recipe and its data can move together. Unknown keys are errors, not ignored: a typo
in a recipe must never silently fall back to a default.

    [model]             base model reference (see hanji.modeling.resolve)
    [[corpus.sources]]  one entry per input source
    [corpus]            pipeline settings (workers, PII mode, mixture weights...)
    [lexicon]           neologism mining
    [tokenizer]         vocabulary expansion
    [train]             continued pre-training stages and SFT
    [eval]              held-out text, probes, tasks, report
    [output]            where the run is written
"""

from __future__ import annotations

import os
import sys
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hanji.privacy.types import ENTITY_TYPES

DOMAINS = ("textbook", "encyclopedia", "news", "literature", "neologism")
SourceDomain = Literal[(*DOMAINS, "auto")]  # type: ignore[valid-type]
# The identifier types are hanji.privacy's; a recipe names the same ones.
PiiType = Literal[ENTITY_TYPES]  # type: ignore[valid-type]
SourceFormat = Literal["text", "jsonl", "parquet", "csv", "mediawiki", "hf"]


def _budget(value: str | None) -> str | None:
    """A recipe budget: a duration hanji.train reads (45s, 6m, 2h, 1h30m)."""
    if value is None:
        return None
    from hanji.train.budget import parse_duration

    parse_duration(value)
    return value


Budget = Annotated[str | None, AfterValidator(_budget)]


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file, the key and what is allowed."""


class _Section(BaseModel):
    # Each field's docstring is its description in docs/recipe.md (python -m hanji.recipe).
    model_config = ConfigDict(extra="forbid", validate_default=True, use_attribute_docstrings=True)


class ModelSection(_Section):
    """The base model every stage starts from."""

    base: str = "smollm2-135m"
    """Embedded name, local HF dir, local .gguf file or Hub id."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    """Weight dtype when the base is loaded; ``auto`` keeps the checkpoint's own."""


class SourceSection(_Section):
    """One input source of the corpus stage (see docs/corpus.md)."""

    path: str
    """A file, a dir or a glob; for format 'hf', a local dataset dir or a Hub id."""
    format: SourceFormat = "jsonl"
    """Reader: text, jsonl, parquet, csv, mediawiki (an XML dump) or hf (a dataset)."""
    domain: SourceDomain = "auto"
    """Domain of every document of the source; ``auto`` tags each document from its text."""
    text_field: str = "text"
    """Field (or column) that holds the document text."""
    id_field: str = "id"
    """Field that holds the document id; without one, ids are made from the source and row."""
    date_field: str | None = None
    """Field that holds the document date, kept in its metadata."""
    license: str | None = None
    """Licence of the source, written into the datacard."""
    split: str = "train"
    """Dataset split, for format 'hf'."""


class CorpusSection(_Section):
    """The corpus stage: read, clean, deduplicate, PII-scrub, tag and mix (docs/corpus.md)."""

    sources: list[SourceSection] = Field(default_factory=list)
    """The input sources, one ``[[corpus.sources]]`` table each."""
    workers: int = Field(default=0, ge=0)
    """Local worker processes; 0 means one per core."""
    executor: Literal["local", "ray", "slurm"] = "local"
    """datatrove executor that runs the pipeline (``ray`` needs the ray extra)."""
    languages: list[str] = Field(default_factory=lambda: ["ko"], min_length=1)
    """Languages to keep (ISO 639-1 codes of fastText's lid.176, e.g. ``["ko", "en"]`` for a
    bilingual corpus); Korean is decided by the identifier and hanji's Korean share together."""
    lid_threshold: float = Field(default=0.3, ge=0.0, le=1.0)
    """Probability the language identifier's top language needs to keep a document, when it
    is one of ``languages`` (a Korean document with enough Hangul is kept without it)."""
    pii_mode: Literal["redact", "mask", "drop-document", "off"] = "redact"
    """What the PII scrub does with an identifier it finds (see docs/privacy.md)."""
    pii_types: list[PiiType] | None = None
    """Identifier types to scrub; None means all 13 types of `hanji.privacy`."""
    near_dedup: bool = True
    """MinHash near-duplicate removal after the exact deduplication."""
    decontaminate: list[str] = Field(default_factory=list)
    """Evaluation/held-out files whose long n-grams must not appear in training data."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Mixture weight per domain; domains not named get weight 1."""
    max_epochs: float = Field(default=4.0, gt=0)
    """Cap on how many times a small domain is repeated by the mixture."""

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: list[str]) -> list[str]:
        from hanji.corpus.lid import LID_LANGUAGES

        for code in value:
            if code not in LID_LANGUAGES:
                raise ValueError(
                    f"unknown language '{code}'; use lid.176 codes such as ko, en, ja, zh"
                )
        return list(dict.fromkeys(value))

    @field_validator("weights")
    @classmethod
    def _known_domains(cls, value: dict[str, float]) -> dict[str, float]:
        allowed = (*DOMAINS, "other")
        for key, weight in value.items():
            if key not in allowed:
                raise ValueError(f"unknown domain '{key}'; allowed: {', '.join(allowed)}")
            if weight < 0:
                raise ValueError(f"weight for '{key}' must be >= 0, got {weight}")
        return value


class LexiconSection(_Section):
    """Neologism (신조어) mining on the built corpus (docs/lexicon.md)."""

    enabled: bool = True
    """Run neologism mining; when false the tokenizer gets no must-have words from it."""
    top_k: int | None = Field(default=None, ge=1)
    """Accept at most this many candidates; None keeps the miner's default (100)."""
    min_score: float | None = None
    """Accept only candidates scoring at least this, in [0, 1]; None keeps the default (0.25)."""
    glossary: str | None = None
    """JSONL of ``{"word", "meaning"}``: the only source of definitions in training documents."""
    reference: list[str] = Field(default_factory=list)
    """Ordinary (older) text: words common there are not new."""


class TokenizerSection(_Section):
    """Vocabulary expansion of the base tokenizer (docs/tokenizer.md)."""

    enabled: bool = True
    """Extend the base vocabulary with Korean merges."""
    add_tokens: int = Field(default=8000, ge=0)
    """How many tokens to add to the base vocabulary (at most)."""
    must_have_from_lexicon: bool = True
    """Every accepted neologism (must_have.txt), and every domain term the reference corpus
    also uses (domain_terms.jsonl), becomes a single token."""
    input_init: Literal["mean", "first", "random"] = "mean"
    """New input rows: the mean of the base pieces' rows, the first piece's row, or random."""
    output_init: Literal["first", "mean", "random"] = "first"
    """New output rows: the first base piece's row (EEVE), the mean of the pieces', or random."""


StageKind = Literal["new_embeddings", "embeddings", "full", "lora"]


class StageSection(_Section):
    """One continued pre-training stage (docs/training.md)."""

    kind: StageKind
    """What trains: new_embeddings (rows of added tokens), embeddings, full, or lora."""
    steps: int = Field(ge=1)
    """Optimiser steps of this stage; under a ``[train] budget``, its weight in the budget."""
    lr: float = Field(gt=0)
    """Peak learning rate."""
    warmup_steps: int = Field(default=0, ge=0)
    """Linear warm-up steps before the schedule."""
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    """Decay after warm-up (cosine and linear end at 10 % of the peak)."""
    lora_r: int = Field(default=16, ge=1)
    """LoRA rank (kind = "lora")."""
    lora_alpha: int = Field(default=32, ge=1)
    """LoRA alpha (kind = "lora")."""
    embedding_lr_scale: float = Field(default=1.0, gt=0)
    """The embedding matrices train at this multiple of ``lr`` (new rows have most to learn)."""
    budget: Budget = None
    """Wall time of this stage (45s, 6m, 2h, 1h30m), out of ``[train] budget`` when that is
    set: its step count is then fixed from the measured speed."""


class SftSection(_Section):
    """Assistant-only supervised fine-tuning after the stages."""

    data: str
    """``messages`` JSONL (system/user/assistant); only assistant turns are learnt."""
    steps: int = Field(ge=1)
    """Optimiser steps."""
    lr: float = Field(gt=0)
    """Peak learning rate."""
    warmup_steps: int = Field(default=0, ge=0)
    """Linear warm-up steps."""
    kind: Literal["full", "lora"] = "full"
    """Train every weight, or LoRA adapters merged at the end."""
    budget: Budget = None
    """Wall time of SFT (45s, 6m, 2h), out of ``[train] budget`` when that is set."""


class TrainSection(_Section):
    """Continued pre-training and SFT (docs/training.md)."""

    seq_len: int = Field(default=256, ge=8)
    """Tokens per training sequence (documents are packed, EOS between them)."""
    batch_size: int = Field(default=4, ge=1)
    """Sequences per micro-batch, per process."""
    grad_accum: int = Field(default=1, ge=1)
    """Micro-batches accumulated into one optimiser step."""
    seed: int = 0
    """Seeds initialisation and batch order; a resumed run must keep it."""
    checkpoint_every: int = Field(default=50, ge=1)
    """Steps between checkpoints (also written at the end of each stage)."""
    clip_grad: float = Field(default=1.0, gt=0)
    """Gradient-norm clipping threshold."""
    weight_decay: float = Field(default=0.0, ge=0)
    """AdamW weight decay (never on rows a stage keeps frozen)."""
    heldout_fraction: float = Field(default=0.02, ge=0, lt=0.5)
    """Share of packed blocks kept out of training and scored at the end of each stage."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """``auto``: bf16 autocast on a GPU with bf16 or a CPU with AMX tiles, else fp32."""
    budget: Budget = None
    """Wall time for training (45s, 6m, 2h, 1h30m): shared by the stages (and SFT) in
    proportion to their ``steps``, unless one names its own ``budget``. After a few steps the
    loop measures its speed and fixes the step count once, warm-up and decay ending on the
    last step; a budget too small for the warm-up is refused. None: the ``steps`` as written."""
    stages: list[StageSection] = Field(default_factory=list)
    """Continued pre-training stages in order, one ``[[train.stages]]`` table each."""
    sft: SftSection | None = None
    """Supervised fine-tuning after the stages; none when absent."""


class EvalSection(_Section):
    """The evaluation suite and report (docs/evaluation.md)."""

    heldout: list[str] = Field(default_factory=list)
    """Held-out Korean text files (JSONL with text/domain, or .txt) for bits per character."""
    unseen: list[str] = Field(default_factory=list)
    """Korean prose from outside the corpus, to show the gain generalises."""
    probe: bool = True
    """Score the lexicon stage's held-out neologism probe."""
    tasks: list[str] = Field(default_factory=list)
    """Multiple-choice tasks: files or folders (relative to the recipe) or known Hub names."""
    few_shot: int = Field(default=0, ge=0)
    """Solved examples before each task item."""
    baseline: bool = True
    """Evaluate the base model too and report the change."""
    max_chars: int | None = Field(default=None, ge=1)
    """Cap on the characters scored per domain (keeps CPU runs short); None scores all."""
    window: int = Field(default=2048, ge=2)
    """Context window for BPC, in tokens (capped at the model's own limit). A document that
    fits is scored in one pass; longer ones slide with half-window overlap."""
    prompts: list[str] = Field(default_factory=list)
    """Korean prompts whose greedy generations (base and new) go into the report."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """``auto``: bf16 autocast on a GPU with bf16 or a CPU with AMX tiles, else fp32."""


class ExportSection(_Section):
    """GGUF files of the built model, for llama.cpp, Ollama and LM Studio (docs/serving.md)."""

    gguf: list[Literal["f16", "q8_0", "q4_k_m"]] = Field(default_factory=list)
    """Types to write as ``model.<type>.gguf`` in the run folder (q4_k_m needs the llamacpp
    extra: llama.cpp's own quantiser); empty: no export."""

    @field_validator("gguf")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"export.gguf names a type twice: {value}")
        return value


class OutputSection(_Section):
    """Where the run is written."""

    dir: str = "runs/quickstart"
    """The run folder: every stage writes under it, with manifest.json."""
    name: str | None = None
    """The run's name (also the served model's); None takes the recipe file's stem."""


class Recipe(_Section):
    model: ModelSection = Field(default_factory=ModelSection)
    corpus: CorpusSection = Field(default_factory=CorpusSection)
    lexicon: LexiconSection = Field(default_factory=LexiconSection)
    tokenizer: TokenizerSection = Field(default_factory=TokenizerSection)
    train: TrainSection = Field(default_factory=TrainSection)
    eval: EvalSection = Field(default_factory=EvalSection)
    export: ExportSection = Field(default_factory=ExportSection)
    output: OutputSection = Field(default_factory=OutputSection)

    path: Annotated[Path | None, Field(exclude=True)] = None
    """The recipe file; relative paths are resolved against its folder."""

    @model_validator(mode="after")
    def _stage_order(self) -> Recipe:
        kinds = [s.kind for s in self.train.stages]
        if "new_embeddings" in kinds and not self.tokenizer.enabled:
            raise ValueError(
                "train.stages has a 'new_embeddings' stage but tokenizer.enabled is false: "
                "there are no new rows to train"
            )
        return self

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def name(self) -> str:
        if self.output.name:
            return self.output.name
        return self.path.stem if self.path else Path(self.output.dir).name

    def resolve_path(self, value: str | Path) -> Path:
        """A recipe path made absolute against the recipe's folder (globs pass through)."""
        p = Path(value).expanduser()
        # normpath, not resolve(): globs and not-yet-existing outputs pass through unchanged
        return Path(os.path.normpath(p if p.is_absolute() else self.base_dir / p))

    def base_ref(self) -> str:
        """``[model] base``, with a path that exists next to the recipe made absolute."""
        from hanji.modeling.resolve import EMBEDDED

        base = self.model.base
        if base in EMBEDDED:
            return base
        path = self.resolve_path(base)
        return str(path) if path.exists() else base

    def output_dir(self) -> Path:
        return self.resolve_path(self.output.dir)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table that holds ``loc``'s last key."""
    model: Any = Recipe
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        for candidate in (ann, *getattr(ann, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
        else:
            return []
    return [k for k, f in model.model_fields.items() if not f.exclude]


def _explain(err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    key = _loc(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        return f"unknown key '{key}'" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"'{key}' = {err.get('input')!r} is not allowed; expected {expected}"
    if kind == "missing":
        return f"'{key}' is required"
    msg = err["msg"].removeprefix("Value error, ")
    return f"'{key}': {msg}" if key else msg


def parse_recipe(data: dict[str, Any], *, path: Path | None = None) -> Recipe:
    """Validate a recipe mapping; every problem is listed, each naming its key."""
    where = f"{path}: " if path else ""
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        lines = [_explain(e) for e in exc.errors()]
        raise RecipeError(where + "invalid recipe\n  - " + "\n  - ".join(lines)) from None
    recipe.path = path
    return recipe


def load_recipe(path: str | Path) -> Recipe:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecipeError(f"recipe not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: not valid TOML: {exc}") from None
    return parse_recipe(data, path=path.resolve())


# -- the recipe reference (docs/recipe.md), generated from the schema above -----------------

_TABLES = {
    "sources": "[[corpus.sources]]",
    "stages": "[[train.stages]]",
    "sft": "[train.sft]",
}


def _type_name(ann: Any) -> str:
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(names) + (" or none" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"table of {_type_name(args[0])} → {_type_name(args[1])}"
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "table"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(ann, str(ann))


def _bounds(field: Any) -> str:
    marks = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    out = []
    for meta in field.metadata:
        for attr, sign in marks.items():
            value = getattr(meta, attr, None)
            if value is not None:
                out.append(f"{sign} {value}")
    return f" ({', '.join(out)})" if out else ""


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "—"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def _section_rows(model: type[BaseModel], prefix: str) -> tuple[list[str], list[tuple]]:
    rows, nested = [], []
    for key, field in model.model_fields.items():
        if field.exclude:
            continue
        ann = field.annotation
        inner = [a for a in (ann, *typing.get_args(ann)) if isinstance(a, type)]
        sub = next((a for a in inner if issubclass(a, BaseModel)), None)
        if sub is not None:
            nested.append((_TABLES.get(key, f"[{prefix}{key}]"), sub, f"{prefix}{key}."))
        desc = " ".join((field.description or "").split())
        if not desc:
            raise ValueError(f"recipe key '{prefix}{key}' has no docstring")
        desc = desc.replace("``", "`").replace("|", "\\|")
        rows.append(f"| `{key}` | {_type_name(ann)}{_bounds(field)} | {_default(field)} | {desc} |")
    return rows, nested


def reference() -> str:
    """Markdown listing every recipe key: its type, default and meaning, from the schema."""
    out = [
        "# Recipe reference",
        "",
        "<!-- generated from src/hanji/recipe.py by `python -m hanji.recipe docs/recipe.md`;"
        " do not edit by hand (a test fails when it is stale) -->",
        "",
        "A recipe is a TOML file with one table per stage. Every key is optional unless marked",
        "required; an unknown key is an error that names it and lists the allowed ones. Paths are",
        "relative to the recipe file's folder. `recipes/quickstart.toml` is a worked example.",
    ]
    todo: list[tuple] = [
        (f"[{key}]", field.annotation, f"{key}.")
        for key, field in Recipe.model_fields.items()
        if not field.exclude
    ]
    while todo:
        title, model, prefix = todo.pop(0)
        rows, nested = _section_rows(model, prefix)
        doc = " ".join((model.__doc__ or "").split())
        out += ["", f"## `{title}`", ""] + ([doc, ""] if doc else [])
        out += ["| key | type | default | meaning |", "|---|---|---|---|", *rows]
        todo[:0] = nested
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # python -m hanji.recipe docs/recipe.md
    text = reference()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
