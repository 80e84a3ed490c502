"""Where multiple-choice items come from: local files in the published schemas, or the Hub.

A task is named by a `TaskSpec`: a local file (JSONL, JSON, CSV or Parquet — KMMLU ships
CSV), a folder of such files, or a Hub dataset read with ``datasets.load_dataset`` (online,
or from its cache). Known benchmark names (``kobest_copa``, ``kmmlu:Korean-History``,
``haerae:loan_words``, ``click``) map to their Hub ids, splits and few-shot splits.

In a folder, ``NAME.EXT`` or ``NAME.test.EXT`` is a task and ``NAME.train.EXT`` /
``NAME.dev.EXT`` / ``NAME.validation.EXT`` its few-shot pool, never evaluated itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanji.evaluate.items import FORMATS, MODES, MCItem, infer_format, to_item
from hanji.text.io import ReadError, iter_rows

TABLE_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")
POOL_SPLITS = ("dev", "train", "validation")


class TaskLoadError(ValueError):
    """A task could not be read; the message names the file, line or Hub id and what to do."""


@dataclass
class HubSource:
    path: str
    config: str | None
    split: str
    fewshot_split: str | None
    format: str


KOBEST = ("boolq", "copa", "hellaswag", "sentineg", "wic")
HUB_TASKS: dict[str, HubSource] = {
    **{
        f"kobest_{name}": HubSource("skt/kobest_v1", name, "test", "train", f"kobest_{name}")
        for name in KOBEST
    },
    "click": HubSource("EunsuKim/CLIcK", None, "train", None, "click"),
}
HUB_FAMILIES: dict[str, HubSource] = {
    # name:CONFIG → the config of a multi-part benchmark
    "kmmlu": HubSource("HAERAE-HUB/KMMLU", None, "test", "dev", "kmmlu"),
    "haerae": HubSource("HAERAE-HUB/HAE_RAE_BENCH_1.1", None, "test", None, "haerae"),
}


def known_hub_task(name: str) -> HubSource | None:
    if name in HUB_TASKS:
        return HUB_TASKS[name]
    family, _, config = name.partition(":")
    if family in HUB_FAMILIES and config:
        base = HUB_FAMILIES[family]
        return HubSource(base.path, config, base.split, base.fewshot_split, base.format)
    return None


@dataclass
class TaskSpec:
    """One task of a suite. Exactly one of ``path`` and ``hub`` names its items."""

    name: str = ""
    path: Path | None = None
    hub: str | None = None
    """A known name (``kobest_copa``, ``kmmlu:Law``) or a Hub dataset id (then set format)."""
    config: str | None = None
    split: str | None = None
    fewshot_split: str | None = None
    fewshot_path: Path | None = None
    format: str | None = None
    mode: str | None = None
    k: int | None = None
    """Few-shot examples for this task; None = the suite's ``few_shot``."""
    limit: int | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.hub is None):
            raise ValueError("a task needs exactly one of 'path' or 'hub'")
        if self.format is not None and self.format not in FORMATS:
            raise ValueError(f"format must be one of {sorted(FORMATS)}, got {self.format!r}")
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.k is not None and self.k < 0:
            raise ValueError(f"k must be >= 0, got {self.k}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be >= 1, got {self.limit}")
        if not self.name:
            self.name = self.hub or _task_name(Path(str(self.path)))


def _task_name(path: Path) -> str:
    stem = path.name
    for suffix in TABLE_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return stem.removesuffix(".test")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, record) from a JSONL, JSON (list), CSV or Parquet file, in NFC."""
    try:
        yield from iter_rows(path)
    except ReadError as exc:
        raise TaskLoadError(str(exc)) from None


def items_from_records(
    records: Iterator[tuple[int, dict[str, Any]]],
    where: str,
    *,
    fmt: str | None,
    mode: str | None,
    task: str,
    limit: int | None = None,
) -> list[MCItem]:
    items: list[MCItem] = []
    for pos, rec in records:
        if limit is not None and len(items) >= limit:
            break
        if not isinstance(rec, dict):
            raise TaskLoadError(f"{where}:{pos}: a record must be an object")
        fmt = fmt or infer_format(rec)
        if fmt is None:
            raise TaskLoadError(
                f"{where}:{pos}: fields {sorted(rec)} match no known schema "
                f"({', '.join(FORMATS)}); set the task's format"
            )
        try:
            items.append(to_item(fmt, rec, mode=mode, task=task))
        except (KeyError, ValueError, TypeError, SyntaxError) as exc:
            why = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise TaskLoadError(f"{where}:{pos}: not a {fmt} item ({why})") from None
    return items


def _hub_rows(src: HubSource, split: str) -> Iterator[tuple[int, dict[str, Any]]]:
    where = f"{src.path}" + (f" ({src.config})" if src.config else "") + f" [{split}]"
    try:
        import datasets
    except ImportError:
        raise TaskLoadError(
            f"reading {where} from the Hugging Face Hub needs the 'datasets' package "
            "(pip install datasets); or download it and pass local files"
        ) from None
    try:
        ds = datasets.load_dataset(src.path, src.config, split=split)
    except Exception as exc:  # datasets raises many types for "no network" / "no such config"
        offline = any(os.environ.get(v) == "1" for v in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"))
        why = "offline mode is set" if offline else f"{type(exc).__name__}: {exc}"
        raise TaskLoadError(
            f"could not load {where} from the Hugging Face Hub ({why}). Where there is no "
            "network, download it elsewhere and pass the files as a local task (path = ...)"
        ) from None
    yield from enumerate(ds, 1)


def _pool_file(path: Path) -> Path | None:
    stem = _task_name(path)
    for split in POOL_SPLITS:
        for suffix in TABLE_SUFFIXES:
            candidate = path.with_name(f"{stem}.{split}{suffix}")
            if candidate.is_file():
                return candidate
    return None


@dataclass
class LoadedTask:
    spec: TaskSpec
    items: list[MCItem]
    pool: list[MCItem] | None
    """Few-shot examples from a separate split; None = sample from ``items`` (minus the item)."""
    source: str


def load_task(spec: TaskSpec, k: int = 0) -> LoadedTask:
    """Read a task's items, and its few-shot pool when ``k`` examples will be needed."""
    if spec.path is not None:
        path = Path(spec.path)
        if not path.is_file():
            raise TaskLoadError(f"no such task file: {path}")
        items = items_from_records(
            read_records(path),
            str(path),
            fmt=spec.format,
            mode=spec.mode,
            task=spec.name,
            limit=spec.limit,
        )
        pool_path = spec.fewshot_path or _pool_file(path)
        pool = None
        if pool_path is not None and k > 0:
            pool = items_from_records(
                read_records(Path(pool_path)),
                str(pool_path),
                fmt=spec.format,
                mode=spec.mode,
                task=spec.name,
            )
        return LoadedTask(spec, items, pool, str(path))
    assert spec.hub is not None
    src = known_hub_task(spec.hub) or HubSource(
        spec.hub, spec.config, spec.split or "test", spec.fewshot_split, spec.format or ""
    )
    if not src.format and spec.format is None:
        raise TaskLoadError(f"task '{spec.name}': set format for Hub dataset '{spec.hub}'")
    src = HubSource(
        src.path,
        spec.config or src.config,
        spec.split or src.split,
        spec.fewshot_split or src.fewshot_split,
        spec.format or src.format,
    )
    where = f"hf:{src.path}"
    items = items_from_records(
        _hub_rows(src, src.split),
        where,
        fmt=src.format,
        mode=spec.mode,
        task=spec.name,
        limit=spec.limit,
    )
    pool = None
    if src.fewshot_split and src.fewshot_split != src.split and k > 0:
        pool = items_from_records(
            _hub_rows(src, src.fewshot_split),
            where,
            fmt=src.format,
            mode=spec.mode,
            task=spec.name,
        )
    label = src.path + (f"/{src.config}" if src.config else "") + f":{src.split}"
    return LoadedTask(spec, items, pool, f"hf:{label}")


def discover(folder: Path) -> list[TaskSpec]:
    """Every task file in ``folder`` (few-shot pool files are paired, not evaluated)."""
    specs = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in TABLE_SUFFIXES or not path.is_file():
            continue
        parts = path.name.split(".")
        if len(parts) > 2 and parts[-2] in POOL_SPLITS:
            continue
        specs.append(TaskSpec(path=path))
    return specs


def task_specs(ref: str | Path | TaskSpec) -> list[TaskSpec]:
    """A task reference → specs: a spec, a file, a folder of files, or a known Hub name."""
    if isinstance(ref, TaskSpec):
        return [ref]
    path = Path(ref)
    if path.is_dir():
        return discover(path)
    if path.is_file():
        return [TaskSpec(path=path)]
    if known_hub_task(str(ref)):
        return [TaskSpec(hub=str(ref))]
    raise TaskLoadError(
        f"task '{ref}' is neither a file, a folder, nor a known Hub task "
        f"({', '.join(HUB_TASKS)}, kmmlu:SUBJECT, haerae:PART)"
    )
