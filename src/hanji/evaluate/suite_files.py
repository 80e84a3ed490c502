"""Suites: what `hanji eval run` measures, as a small TOML/JSON file or a built-in name.

A suite file (relative paths resolve against its folder; every key is optional)::

    # hanji eval run --model runs/x/model --baseline smollm2-135m --suite my.toml --out out/
    name = "my-suite"
    heldout = ["heldout/*.jsonl"]      # BPC per domain and overall
    unseen = []                        # BPC on prose the corpus never saw
    probe = "lexicon/probe.jsonl"      # neologism probe
    window = 2048                      # BPC context window (tokens)
    max_chars = 3000                   # cap on characters scored per domain
    few_shot = 0                       # examples before each task item
    seed = 0
    task_limit = 200                   # at most this many items per task
    tasks = ["eval/", "kobest_copa", "kmmlu:Korean-History"]

    [[task]]                           # a task with options
    path = "my_kmmlu.csv"              # or hub = "HAERAE-HUB/KMMLU", config = "Law"
    mode = "text"                      # score the option texts instead of the letters
    k = 5                              # few-shot for this task only

    [generations]                      # or: generations = false
    prompts = ["한국의 전통 종이에 대해 알려 주세요."]
    max_new_tokens = 48

Built-in suites: ``quick`` (offline: sample held-out BPC, the probe when given, the sample
task set, generations) and ``korean`` (``quick`` plus KoBEST, HAE-RAE, CLIcK and three
KMMLU subjects from the Hub — needs a network or a ``datasets`` cache).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from hanji.evaluate.generate import GenerationSpec
from hanji.evaluate.sources import TaskSpec
from hanji.evaluate.suite_run import SuiteConfig

KEYS = {
    "name",
    "heldout",
    "unseen",
    "probe",
    "window",
    "max_chars",
    "few_shot",
    "seed",
    "task_limit",
    "tasks",
    "task",
    "generations",
    "precision",
}
TASK_KEYS = {
    "name",
    "path",
    "hub",
    "config",
    "split",
    "fewshot_split",
    "fewshot_path",
    "format",
    "mode",
    "k",
    "limit",
}
GEN_KEYS = {"prompts", "max_new_tokens", "chat"}

KOREAN_HUB_TASKS = [
    "kobest_boolq",
    "kobest_copa",
    "kobest_hellaswag",
    "kobest_sentineg",
    "kobest_wic",
    "haerae:general_knowledge",
    "haerae:history",
    "haerae:loan_words",
    "haerae:rare_words",
    "haerae:standard_nomenclature",
    "haerae:reading_comprehension",
    "click",
    "kmmlu:Korean-History",
    "kmmlu:Law",
    "kmmlu:Education",
]


def sample_dir() -> Path:
    """hanji's ``data/sample``: ``$HANJI_SAMPLE_DIR``, else found above the working
    directory or above this source file (a repository checkout)."""
    env = os.environ.get("HANJI_SAMPLE_DIR")
    if env:
        return Path(env)
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            candidate = folder / "data" / "sample"
            if (candidate / "eval").is_dir():
                return candidate
    raise ValueError(
        "the built-in suites need hanji's data/sample folder (run from a checkout of the "
        "repository or set HANJI_SAMPLE_DIR); or pass a suite file"
    )


def builtin(name: str) -> dict[str, Any]:
    if name not in ("quick", "korean"):
        raise ValueError(f"unknown built-in suite '{name}' (quick, korean) and no such file")
    sample = sample_dir()
    data: dict[str, Any] = {
        "name": name,
        "heldout": [str(sample / "heldout")],
        "max_chars": 1000,
        "tasks": [str(sample / "eval")],
        "generations": {"max_new_tokens": 48},
    }
    if name == "korean":
        data["tasks"] += KOREAN_HUB_TASKS
        data["task_limit"] = 200
        data["generations"] = {"max_new_tokens": 64}
    return data


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _paths(value: Any, base: Path, key: str) -> list[Path]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"'{key}' must be a path or a list of paths")
    return [base / v for v in values]


def _task(entry: Any, base: Path, where: str) -> TaskSpec | str:
    if isinstance(entry, str):
        local = base / entry
        return str(local) if local.exists() else entry  # else a known Hub name
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: a task is a string or a table")
    _check_keys(entry, TASK_KEYS, where)
    kw = dict(entry)
    for key in ("path", "fewshot_path"):
        if key in kw:
            kw[key] = base / kw[key]
    try:
        return TaskSpec(**kw)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def suite_from_dict(
    data: dict[str, Any], base: Path, where: str = "suite", name: str = "custom"
) -> SuiteConfig:
    _check_keys(data, KEYS, where)
    tasks: list[TaskSpec | str] = []
    for i, entry in enumerate(data.get("tasks", [])):
        tasks.append(_task(entry, base, f"{where}: tasks[{i}]"))
    for i, entry in enumerate(data.get("task", [])):
        tasks.append(_task(entry, base, f"{where}: task[{i}]"))
    gen = data.get("generations", False)
    generations = None
    if gen is True:
        generations = GenerationSpec()
    elif isinstance(gen, dict):
        _check_keys(gen, GEN_KEYS, f"{where}: generations")
        generations = GenerationSpec(**gen)
    elif gen is not False:
        raise ValueError(f"{where}: 'generations' must be true, false or a table")
    probe = data.get("probe")
    try:
        return SuiteConfig(
            heldout=_paths(data.get("heldout", []), base, "heldout"),
            unseen=_paths(data.get("unseen", []), base, "unseen"),
            probe=base / probe if probe else None,
            window=int(data.get("window", 2048)),
            max_chars=data.get("max_chars"),
            tasks=tasks,
            few_shot=int(data.get("few_shot", 0)),
            seed=int(data.get("seed", 0)),
            task_limit=data.get("task_limit"),
            generations=generations,
            name=str(data.get("name", name)),
            precision=str(data.get("precision", "auto")),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def load_suite(ref: str | Path) -> SuiteConfig:
    """A suite file (``.toml`` or ``.json``) or a built-in name (``quick``, ``korean``)."""
    path = Path(ref)
    if path.is_file():
        text = path.read_text("utf-8")
        try:
            data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            kind = "JSON" if path.suffix == ".json" else "TOML"
            raise ValueError(f"{path}: not valid {kind}: {exc}") from None
        return suite_from_dict(data, path.parent, str(path), name=path.stem)
    return suite_from_dict(builtin(str(ref)), Path("/"), f"suite '{ref}'", name=str(ref))
