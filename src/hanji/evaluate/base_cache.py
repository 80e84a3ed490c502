"""The base model's figures, computed once per (model, data, settings) and reused.

Every build evaluates its base next to the model it built; the base does not change when the
schedule, the corpus or the tokenizer does, so its figures are kept on this machine (next to
the converted models, `hanji.modeling.load.cache_dir`) under a fingerprint of what decides
them: the model's files (content digests), the text and probe files scored (content), the
suite's settings, the precision it runs at on this host, and the torch / transformers
versions. Anything else changed, the key changes and the base is evaluated again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hanji.fingerprint import content_digest, digest

if TYPE_CHECKING:
    from hanji.evaluate.suite_run import SuiteConfig

CACHE_VERSION = 1
"""Bump when the scoring itself changes (BPC, the probe, the tasks)."""


def default_dir() -> Path:
    from hanji.modeling.load import cache_dir

    return cache_dir() / "eval-base"


def _file(path: str | Path) -> list[Any]:
    p = Path(path)
    return [p.name, p.stat().st_size, content_digest(p)] if p.is_file() else [str(p), None, None]


def model_identity(ref: str) -> list[Any]:
    """What the model is, by content: its files' digests (a Hub id: the id itself)."""
    from hanji.modeling.resolve import resolve

    mref = resolve(ref)
    if mref.kind == "hub":
        return ["hub", mref.source]
    if mref.gguf_file:
        return [mref.kind, _file(Path(mref.source) / mref.gguf_file)]
    files = sorted(p for p in Path(mref.source).iterdir() if p.is_file())
    return [mref.kind, [_file(p) for p in files]]


def _task(task: Any) -> Any:
    """A task file or folder by content; a Hub name or a spec by its text."""
    if isinstance(task, str | Path) and Path(task).is_file():
        return _file(task)
    if isinstance(task, str | Path) and Path(task).is_dir():
        return [_file(p) for p in sorted(Path(task).rglob("*")) if p.is_file()]
    return str(task)


def base_key(ref: str, cfg: SuiteConfig) -> str:
    """The fingerprint of the base's figures under ``cfg`` on this host."""
    import torch
    import transformers

    from hanji.modeling.load import pick_precision
    from hanji.text.io import expand

    tasks = [_task(t) for t in cfg.tasks]
    gen = cfg.generations
    return digest(
        CACHE_VERSION,
        model_identity(ref),
        [_file(p) for p in expand(cfg.heldout)],
        [_file(p) for p in expand(cfg.unseen)],
        _file(cfg.probe) if cfg.probe else None,
        tasks,
        [cfg.window, cfg.max_chars, cfg.few_shot, cfg.seed, cfg.task_limit],
        [list(gen.prompts), gen.max_new_tokens] if gen else None,
        pick_precision(cfg.precision),
        [torch.__version__, transformers.__version__],
    )


def load(folder: Path, key: str) -> dict[str, Any] | None:
    try:
        return json.loads((folder / f"{key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def store(folder: Path, key: str, figures: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written costs a re-evaluation, nothing else."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(figures, ensure_ascii=False), "utf-8")
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass
