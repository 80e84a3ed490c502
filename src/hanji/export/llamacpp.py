"""llama.cpp itself, through llama-cpp-python: load a GGUF, tokenize, score, quantise.

llama-cpp-python is an optional extra (``pip install 'hanji[llamacpp]'`` or
``make llamacpp``): it compiles llama.cpp from source on install, minutes on a small CPU.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from pathlib import Path
from typing import Any

from hanji.export.errors import ExportError

INSTALL_HINT = (
    "llama-cpp-python is not installed; install the extra with "
    "`pip install 'hanji[llamacpp]'` (or `make llamacpp`, which caches the llama.cpp build)"
)


def require() -> Any:
    """The ``llama_cpp`` module, or `ExportError` that says how to install it."""
    try:
        import llama_cpp
    except ImportError:
        raise ExportError(INSTALL_HINT) from None
    return llama_cpp


def available() -> bool:
    try:
        require()
    except ExportError:
        return False
    return True


def load(
    path: str | Path,
    *,
    n_ctx: int = 2048,
    logits_all: bool = False,
    embedding: bool = False,
    n_threads: int | None = None,
    seed: int = 0,
    **extra: Any,
) -> Any:
    """A `llama_cpp.Llama` on the CPU; ``n_ctx`` 0 takes the model's own context length."""
    llama_cpp = require()
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"GGUF file not found: {path}")
    threads = n_threads or max(1, len(os.sched_getaffinity(0)))
    with _model_params(use_extra_bufts=not cpu_has_amx()):
        return llama_cpp.Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            n_gpu_layers=0,
            logits_all=logits_all,
            embedding=embedding,
            seed=seed,
            verbose=False,
            **extra,
        )


@functools.cache
def cpu_has_amx() -> bool:
    """Whether the CPU has AMX tiles (``amx_tile`` in /proc/cpuinfo)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            return any(line.startswith("flags") and " amx_tile" in line for line in fh)
    except OSError:
        return False


_PARAMS_LOCK = threading.Lock()


class _model_params:
    """Load with llama.cpp's extra CPU buffer types (weight repacking, AMX) on or off.

    llama.cpp's AMX matrix multiply (``ggml_backend_amx_mul_mat``, llama-cpp-python 0.3.36
    built for the native CPU) crashed the process with a segmentation fault on the first
    decode of any Q8_0 GGUF on this project's Sapphire Rapids machine, whether the file was
    written by hanji or quantised by llama.cpp itself; f16 was unaffected. On a CPU with AMX
    the extra buffer types are therefore turned off: the plain AVX-512 kernels run instead.
    llama-cpp-python does not expose the flag, so its default model parameters are wrapped
    while the model loads (under a lock: the wrap is process-wide).
    """

    def __init__(self, *, use_extra_bufts: bool) -> None:
        self.use_extra_bufts = use_extra_bufts

    def __enter__(self) -> None:
        import llama_cpp.llama_cpp as low

        _PARAMS_LOCK.acquire()
        self._orig = low.llama_model_default_params
        if self.use_extra_bufts:
            return
        orig = self._orig

        def params() -> Any:
            p = orig()
            p.use_extra_bufts = False
            return p

        low.llama_model_default_params = params

    def __exit__(self, *exc: object) -> None:
        import llama_cpp.llama_cpp as low

        low.llama_model_default_params = self._orig
        _PARAMS_LOCK.release()


def quantize(src: str | Path, dst: str | Path, kind: str = "q4_k_m") -> None:
    """llama.cpp's quantiser (``llama_model_quantize``) from an f16 GGUF to ``kind``."""
    llama_cpp = require()
    ftypes = {"q4_k_m": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M}
    if kind not in ftypes:
        raise ExportError(f"llama.cpp quantisation to '{kind}' is not offered here")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftypes[kind]
    params.nthread = max(1, len(os.sched_getaffinity(0)))
    rc = llama_cpp.llama_model_quantize(
        str(src).encode(), str(dst).encode(), ctypes.pointer(params)
    )
    if rc != 0:
        raise ExportError(f"llama.cpp could not quantise {src} to {kind} (code {rc})")
