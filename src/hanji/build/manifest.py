"""`runs/<name>/manifest.json`: what each stage did, when, with which config, and where.

A stage is skipped when it finished before with the same fingerprint, which its own
package computes (`hanji.<stage>.stage.fingerprint`): its recipe section, its input files
and the fingerprints of the stages it reads from.

Artefacts inside the run folder are stored relative to it, as ``./corpus/shards``, so a
run folder moved or copied elsewhere still resumes and serves; in memory they are absolute
again. Anything else (a Hub id, a base model elsewhere) is stored as it is.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
_HERE = "./"


def to_stored(value: str, run_dir: Path) -> str:
    """An artefact as written to manifest.json: ``./rel/path`` when inside ``run_dir``."""
    path = Path(value)
    if not path.is_absolute():
        return value
    try:
        rel = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(run_dir)))
    except ValueError:
        return value
    return _HERE + rel.as_posix() if rel.parts else _HERE


def from_stored(value: str, run_dir: Path) -> str:
    """An artefact as read from manifest.json, absolute against where ``run_dir`` is now."""
    if not value.startswith(_HERE):
        return value
    return os.path.normpath(Path(os.path.abspath(run_dir)) / value[len(_HERE) :])


@dataclass
class StageRecord:
    status: str = "pending"  # pending | running | done | failed
    fingerprint: str = ""
    started: float | None = None
    ended: float | None = None
    seconds: float | None = None
    artifacts: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Manifest:
    path: Path
    name: str
    recipe: str
    stages: dict[str, StageRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, run_dir: Path, name: str, recipe: str) -> Manifest:
        path = run_dir / MANIFEST
        if path.is_file():
            data = json.loads(path.read_text("utf-8"))
            stages = {}
            for k, v in data.get("stages", {}).items():
                rec = StageRecord(**v)
                rec.artifacts = {a: from_stored(p, run_dir) for a, p in rec.artifacts.items()}
                stages[k] = rec
            return cls(path, data.get("name", name), recipe, stages)
        return cls(path, name, recipe)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "name": self.name,
            "recipe": self.recipe,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "stages": {k: self._stored(v) for k, v in self.stages.items()},
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, self.path)

    def _stored(self, rec: StageRecord) -> dict[str, Any]:
        run_dir = self.path.parent
        arts = {a: to_stored(p, run_dir) for a, p in rec.artifacts.items()}
        return {**rec.__dict__, "artifacts": arts}

    def record(self, stage: str) -> StageRecord:
        return self.stages.setdefault(stage, StageRecord())
