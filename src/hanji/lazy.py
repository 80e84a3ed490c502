"""Package attributes imported on first use (PEP 562).

A package whose modules pull in torch, transformers or datatrove names its public objects
here instead of importing them, so importing the package (as the `hanji` CLI does for
every sub-command group) stays cheap:

    __all__, __getattr__ = lazy_exports(__name__, {"train_cpt": "hanji.train.api"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` resolving each name in its module on first use."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return sorted(exports), __getattr__
