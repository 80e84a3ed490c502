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
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DOMAINS = ("textbook", "encyclopedia", "news", "literature", "neologism")
SourceDomain = Literal["textbook", "encyclopedia", "news", "literature", "neologism", "auto"]
PiiType = Literal[
    "RRN",
    "FRN",
    "PASSPORT",
    "DRIVER_LICENSE",
    "BRN",
    "CRN",
    "CARD",
    "ACCOUNT",
    "PHONE",
    "EMAIL",
    "IP",
    "ADDRESS",
    "PERSON",
]
SourceFormat = Literal["text", "jsonl", "parquet", "csv", "mediawiki", "hf"]


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file, the key and what is allowed."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class ModelSection(_Section):
    base: str = "smollm2-135m"
    """Embedded name, local HF dir, local .gguf file or Hub id."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"


class SourceSection(_Section):
    path: str
    """A file, a dir or a glob; for format 'hf', a local dataset dir or a Hub id."""
    format: SourceFormat = "jsonl"
    domain: SourceDomain = "auto"
    text_field: str = "text"
    id_field: str = "id"
    date_field: str | None = None
    license: str | None = None
    split: str = "train"
    """Dataset split, for format 'hf'."""


class CorpusSection(_Section):
    sources: list[SourceSection] = Field(default_factory=list)
    workers: int = Field(default=0, ge=0)
    """Local worker processes; 0 means one per core."""
    executor: Literal["local", "ray", "slurm"] = "local"
    pii_mode: Literal["redact", "mask", "drop-document", "off"] = "redact"
    pii_types: list[PiiType] | None = None
    """Identifier types to scrub; None means all 13 types of `hanji.privacy`."""
    near_dedup: bool = True
    decontaminate: list[str] = Field(default_factory=list)
    """Evaluation/held-out files whose long n-grams must not appear in training data."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Mixture weight per domain; domains not named get weight 1."""
    max_epochs: float = Field(default=4.0, gt=0)
    """Cap on how many times a small domain is repeated by the mixture."""

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
    enabled: bool = True
    top_k: int | None = Field(default=None, ge=1)
    min_score: float | None = None
    glossary: str | None = None
    reference: list[str] = Field(default_factory=list)


class TokenizerSection(_Section):
    enabled: bool = True
    add_tokens: int = Field(default=8000, ge=0)
    must_have_from_lexicon: bool = True
    input_init: Literal["mean", "first", "random"] = "mean"
    output_init: Literal["first", "mean", "random"] = "first"


StageKind = Literal["new_embeddings", "embeddings", "full", "lora"]


class StageSection(_Section):
    kind: StageKind
    steps: int = Field(ge=1)
    lr: float = Field(gt=0)
    warmup_steps: int = Field(default=0, ge=0)
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    lora_r: int = Field(default=16, ge=1)
    lora_alpha: int = Field(default=32, ge=1)
    embedding_lr_scale: float = Field(default=1.0, gt=0)
    """The embedding matrices train at this multiple of ``lr`` (new rows have most to learn)."""


class SftSection(_Section):
    data: str
    steps: int = Field(ge=1)
    lr: float = Field(gt=0)
    warmup_steps: int = Field(default=0, ge=0)
    kind: Literal["full", "lora"] = "full"


class TrainSection(_Section):
    seq_len: int = Field(default=256, ge=8)
    batch_size: int = Field(default=4, ge=1)
    grad_accum: int = Field(default=1, ge=1)
    seed: int = 0
    checkpoint_every: int = Field(default=50, ge=1)
    clip_grad: float = Field(default=1.0, gt=0)
    weight_decay: float = Field(default=0.0, ge=0)
    heldout_fraction: float = Field(default=0.02, ge=0, lt=0.5)
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """``auto``: bf16 autocast on a GPU with bf16 or a CPU with AMX tiles, else fp32."""
    stages: list[StageSection] = Field(default_factory=list)
    sft: SftSection | None = None


class EvalSection(_Section):
    heldout: list[str] = Field(default_factory=list)
    """Held-out Korean text files (JSONL with text/domain, or .txt) for bits per character."""
    unseen: list[str] = Field(default_factory=list)
    """Korean prose from outside the corpus, to show the gain generalises."""
    probe: bool = True
    tasks: list[str] = Field(default_factory=list)
    few_shot: int = Field(default=0, ge=0)
    baseline: bool = True
    max_chars: int | None = Field(default=None, ge=1)
    window: int = Field(default=2048, ge=2)
    """Context window for BPC, in tokens (capped at the model's own limit). A document that
    fits is scored in one pass; longer ones slide with half-window overlap."""
    prompts: list[str] = Field(default_factory=list)
    """Korean prompts whose greedy generations (base and new) go into the report."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """``auto``: bf16 autocast on a GPU with bf16 or a CPU with AMX tiles, else fp32."""


class OutputSection(_Section):
    dir: str = "runs/quickstart"
    name: str | None = None


class Recipe(_Section):
    model: ModelSection = Field(default_factory=ModelSection)
    corpus: CorpusSection = Field(default_factory=CorpusSection)
    lexicon: LexiconSection = Field(default_factory=LexiconSection)
    tokenizer: TokenizerSection = Field(default_factory=TokenizerSection)
    train: TrainSection = Field(default_factory=TrainSection)
    eval: EvalSection = Field(default_factory=EvalSection)
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
