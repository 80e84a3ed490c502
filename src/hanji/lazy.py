"""Package attributes imported on first use (PEP 562).

A package whose modules pull in torch, transformers or datatrove names its public objects
here instead of importing them, so importing the package (as the `hanji` CLI does for
every sub-command group) stays cheap:

    __all__ = lazy_exports(__name__, {"train_cpt": "hanji.train.api"})

An exported name may be the name of one of the package's own modules, as `detect` is the
function of `hanji.privacy.detect`: importing that module then does not bind the module
over the name (Python binds a submodule as an attribute of its package), so
``from hanji.privacy import detect`` is the function whatever was imported first, as it
was when the package imported it eagerly.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _LazyPackage(types.ModuleType):
    _lazy_exports: dict[str, str]

    def __getattr__(self, name: str) -> Any:  # only called for names not yet set
        exports = self.__dict__.get("_lazy_exports", {})
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (
            name in exports
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return  # the submodule of the same name: the export keeps the name
        super().__setattr__(name, value)


def lazy_exports(package: str, exports: dict[str, str]) -> list[str]:
    """Make ``package`` resolve each of ``exports`` in its module on first use; its ``__all__``."""
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module.__dict__["_lazy_exports"] = dict(exports)
    for name in exports:  # a submodule of that name bound before this call: unbind it
        value = module.__dict__.get(name)
        if isinstance(value, types.ModuleType) and value.__name__ == f"{package}.{name}":
            del module.__dict__[name]
    return sorted(exports)
