"""`build`: run the stages of a recipe in order, skipping what is already done."""

from __future__ import annotations

import shutil
import time
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console

from hanji.build.manifest import Manifest
from hanji.build.stages import STAGES, Context, stage_fingerprint
from hanji.recipe import load_recipe

STAGE_NAMES = list(STAGES)


class BuildError(RuntimeError):
    """A build that cannot go on; the message names the stage."""


def _check_stage(name: str | None, flag: str) -> None:
    if name is not None and name not in STAGES:
        raise BuildError(f"{flag} '{name}' is not a stage; stages: {', '.join(STAGE_NAMES)}")


def build(
    recipe_path: str | Path,
    *,
    from_stage: str | None = None,
    only: str | None = None,
    force: bool = False,
    progress: bool = True,
    console: Console | None = None,
) -> Manifest:
    """Run (or resume) the build described by ``recipe_path``; returns the final manifest."""
    console = console or Console(stderr=True)
    _check_stage(from_stage, "--from")
    _check_stage(only, "--only")
    recipe = load_recipe(recipe_path)
    run_dir = recipe.output_dir()
    manifest = Manifest.load(run_dir, recipe.name, str(Path(recipe_path).resolve()))
    ctx = Context(
        recipe, run_dir, manifest, log=lambda m: console.print(f"  {m}"), progress=progress
    )
    first = STAGE_NAMES.index(from_stage) if from_stage else 0
    t_build = time.perf_counter()
    for i, name in enumerate(STAGE_NAMES):
        run_fn, outputs = STAGES[name]
        rec = manifest.record(name)
        if only and name != only:
            if STAGE_NAMES.index(name) < STAGE_NAMES.index(only) and rec.status != "done":
                raise BuildError(
                    f"--only {only} needs stage '{name}' done first; run the build without --only"
                )
            continue
        fp = stage_fingerprint(ctx, name)
        wanted = force or (from_stage is not None and i >= first) or only == name
        if not wanted and rec.status == "done" and rec.fingerprint == fp:
            console.print(f"[dim]✓ {name}: unchanged, skipped ({rec.seconds:.0f}s before)[/dim]")
            continue
        if rec.fingerprint != fp or wanted:
            for sub in outputs:  # inputs or config changed: start the stage from scratch
                if (run_dir / sub).is_dir():
                    shutil.rmtree(run_dir / sub)
                elif (run_dir / sub).exists():
                    (run_dir / sub).unlink()
        elif rec.status in ("running", "failed"):
            console.print(f"[yellow]↻ {name}: resuming an interrupted run[/yellow]")
        console.rule(f"[bold]{name}")
        rec.status, rec.fingerprint, rec.started, rec.error = "running", fp, time.time(), None
        manifest.save()
        t0 = time.perf_counter()
        try:
            artifacts, figures = run_fn(ctx)
        except BaseException as exc:
            rec.status = "failed"
            rec.error = f"{type(exc).__name__}: {exc}"
            rec.seconds = time.perf_counter() - t0
            manifest.save()
            if isinstance(exc, KeyboardInterrupt):
                raise
            console.print(f"[red]✗ {name} failed:[/red] {exc}")
            console.print(traceback.format_exc(limit=3), style="dim")
            raise BuildError(f"stage '{name}' failed: {exc}") from exc
        rec.status, rec.ended = "done", time.time()
        rec.seconds = time.perf_counter() - t0
        rec.artifacts, rec.figures = artifacts, _jsonable(figures)
        manifest.save()
        console.print(f"[green]✓ {name}[/green] in {rec.seconds:.1f}s")
    console.print(f"build finished in {time.perf_counter() - t_build:.0f}s")
    return manifest


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))
