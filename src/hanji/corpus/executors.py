"""Executors: datatrove's Local (default), Ray and Slurm, behind one small factory.

Local runs each stage with a process pool (``workers`` at once) and keeps datatrove's
console chatter in the per-task log files, so the user sees one progress bar. Ray needs
a running cluster (``ray.init()`` is called with ``RAY_ADDRESS`` when none is up).
Slurm submits every stage as a dependent sbatch job array; its settings come from
``HANJI_SLURM_*`` environment variables (see docs/corpus.md), since sites differ.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from datatrove.executor.base import PipelineExecutor
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.utils.logging import logger
from datatrove.utils.stats import PipelineStats

from hanji.corpus.readers.sources import CorpusError

PRELOAD = (
    "hanji.corpus.run",
    "hanji.corpus.filters",
    "hanji.corpus.dedup",
    "hanji.corpus.pii",
    "hanji.corpus.writer",
    "hanji.text",
    "hanji.privacy",
)


class QuietLocalExecutor(LocalPipelineExecutor):
    """LocalPipelineExecutor whose tasks log to their files only (errors still reach stderr)."""

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
        # datatrove prints INFO to the console for local_rank 0 only; 1 keeps it in the log file
        try:
            return super()._run_for_rank(rank, local_rank + 1, node_rank)
        finally:
            quiet_logger()  # datatrove re-adds its chatty default handler after each task


def quiet_logger() -> None:
    """Only errors from datatrove's logger reach the console."""
    logger.remove()
    logger.add(sys.stderr, level="ERROR")


def make_executor(
    kind: str,
    pipeline: list[Any],
    *,
    tasks: int,
    workers: int,
    logging_dir: str,
    job_name: str,
    depends: PipelineExecutor | None = None,
) -> PipelineExecutor:
    """One stage's executor; ``depends`` chains Slurm jobs (local/ray run stages in order)."""
    if kind == "local":
        import multiprocess

        # the fork server imports hanji's steps once; every worker forks from it warm
        multiprocess.set_forkserver_preload(list(PRELOAD))
        return QuietLocalExecutor(
            pipeline,
            tasks=tasks,
            workers=max(1, min(workers, tasks)),
            logging_dir=logging_dir,
            start_method="forkserver",
        )
    if kind == "ray":
        try:
            import ray
        except ImportError:
            raise CorpusError("corpus.executor = 'ray' needs `pip install 'hanji[ray]'`") from None
        from datatrove.executor.ray import RayPipelineExecutor

        if not ray.is_initialized():
            ray.init(address=os.environ.get("RAY_ADDRESS"), ignore_reinit_error=True)
        return RayPipelineExecutor(
            pipeline,
            tasks=tasks,
            workers=max(1, min(workers, tasks)),
            logging_dir=logging_dir,
            cpus_per_task=1,
            mem_per_cpu_gb=float(os.environ.get("HANJI_RAY_MEM_GB", "2")),
        )
    if kind == "slurm":
        from datatrove.executor.slurm import SlurmPipelineExecutor

        partition = os.environ.get("HANJI_SLURM_PARTITION")
        if not partition:
            raise CorpusError("corpus.executor = 'slurm' needs HANJI_SLURM_PARTITION to be set")
        return SlurmPipelineExecutor(
            pipeline,
            tasks=tasks,
            workers=workers,
            time=os.environ.get("HANJI_SLURM_TIME", "12:00:00"),
            partition=partition,
            cpus_per_task=int(os.environ.get("HANJI_SLURM_CPUS", "1")),
            mem_per_cpu_gb=int(os.environ.get("HANJI_SLURM_MEM_GB", "2")),
            job_name=job_name,
            venv_path=_activate_script(os.environ.get("HANJI_SLURM_VENV")),
            env_command=os.environ.get("HANJI_SLURM_ENV_COMMAND"),
            sbatch_args=json.loads(os.environ.get("HANJI_SLURM_SBATCH", "{}")),
            logging_dir=logging_dir,
            depends=depends,  # type: ignore[arg-type]
        )
    raise CorpusError(f"corpus.executor: unknown executor {kind!r} (local, ray, slurm)")


def _activate_script(venv: str | None) -> str | None:
    """What a Slurm job sources: datatrove writes ``source VENV_PATH``, so a venv folder
    (``HANJI_SLURM_VENV=$PWD/.venv``) becomes its ``bin/activate``."""
    if venv and Path(venv).is_dir():
        return str(Path(venv) / "bin" / "activate")
    return venv
