"""`runs/<name>/manifest.json`: what each stage did, when, with which config, and where.

A stage is skipped when it finished before with the same fingerprint: a hash of its own
recipe section, the fingerprints of the stages it reads from, and (for the corpus) the
size and modification time of every input file.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def file_signature(paths: list[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in sorted(paths):
        st = p.stat()
        out.append((str(p.resolve()), st.st_size, st.st_mtime_ns))
    return out


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
            stages = {k: StageRecord(**v) for k, v in data.get("stages", {}).items()}
            return cls(path, data.get("name", name), data.get("recipe", recipe), stages)
        return cls(path, name, recipe)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "name": self.name,
            "recipe": self.recipe,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "stages": {k: v.__dict__ for k, v in self.stages.items()},
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, self.path)

    def record(self, stage: str) -> StageRecord:
        return self.stages.setdefault(stage, StageRecord())
