"""lm-evaluation-harness interop: a hanji model dir is a plain HF dir, so the harness runs it
unchanged. This builds the harness command line; `hanji eval lm-eval` runs it when the
optional ``lm_eval`` package is installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def lm_eval_available() -> bool:
    return importlib.util.find_spec("lm_eval") is not None


def hf_dir(ref: str) -> str:
    """A directory or Hub id the harness's ``hf`` model can load: GGUF refs (the embedded
    default) are converted once to a cached HF dir by the model resolver."""
    if Path(ref).is_dir():
        return str(ref)
    from hanji.modeling.load import materialize

    return materialize(ref).source


def lm_eval_command(
    pretrained: str,
    tasks: list[str],
    *,
    num_fewshot: int | None = None,
    limit: int | None = None,
    output_path: str | Path | None = None,
    device: str | None = None,
    batch_size: str = "auto",
) -> list[str]:
    if not tasks:
        raise ValueError("name at least one lm-eval task (e.g. kobest_boolq)")
    cmd = [
        sys.executable,
        "-m",
        "lm_eval",
        "--model",
        "hf",
        "--model_args",
        f"pretrained={pretrained}",
        "--tasks",
        ",".join(tasks),
        "--batch_size",
        batch_size,
    ]
    if num_fewshot is not None:
        cmd += ["--num_fewshot", str(num_fewshot)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    if output_path is not None:
        cmd += ["--output_path", str(output_path)]
    if device is not None:
        cmd += ["--device", device]
    return cmd
