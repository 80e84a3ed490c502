"""The `hanji` CLI answers at once: importing it loads no ML library.

Each check runs in a fresh interpreter, since this test session has long imported torch.
"""

import json
import subprocess
import sys

import pytest

from hanji import __version__

HEAVY = (
    "torch",
    "transformers",
    "datatrove",
    "kiwipiepy",
    "matplotlib",
    "pyarrow",
    "peft",
    "accelerate",
    "tokenizers",
)


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import json, sys; import hanji.cli; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    "module",
    [
        "hanji.build",
        "hanji.evaluate",
        "hanji.lexicon",
        "hanji.modeling",
        "hanji.privacy",
        "hanji.tokenizer",
        "hanji.train",
    ],
)
def test_packages_the_cli_imports_stay_light(module: str) -> None:
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_lazy_names_resolve_and_unknown_names_raise() -> None:
    import hanji.train

    assert hanji.train.LoopConfig.__module__ == "hanji.train.loop"
    with pytest.raises(AttributeError, match="no_such_name"):
        hanji.train.no_such_name  # noqa: B018


CLI = "import sys; from hanji.cli import app; sys.argv[0] = 'hanji'; app()"


def test_version_in_a_fresh_process() -> None:
    result = _python(CLI, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"hanji {__version__}"


def test_help_in_a_fresh_process() -> None:
    result = _python(CLI, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "corpus" in result.stdout and "privacy" in result.stdout


@pytest.mark.parametrize(
    ("package", "name"),
    [("hanji.privacy", "detect"), ("hanji.lexicon", "mine"), ("hanji.modeling", "resolve")],
)
@pytest.mark.parametrize("module_first", [True, False])
def test_an_export_named_like_its_module_is_the_export(
    package: str, name: str, module_first: bool
) -> None:
    """`from hanji.privacy import detect` is the function, also after the module
    `hanji.privacy.detect` was imported (which binds a submodule onto its package)."""
    first = f"import {package}.{name}; " if module_first else ""
    code = (
        f"import types; {first}from {package} import {name} as a; "
        f"import {package}.{name}; from {package} import {name} as b; "
        "print(all(callable(x) and not isinstance(x, types.ModuleType) for x in (a, b)))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
