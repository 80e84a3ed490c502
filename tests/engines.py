"""Optional engines the suite needs: skip without them, unless the run demands them.

Test modules import this by name (tests/ is on sys.path, see conftest.py)."""

from __future__ import annotations

import os

import pytest


def needs_llama_cpp() -> None:
    """Skip without llama-cpp-python, unless the run demands it (`make test` does)."""
    from hanji.export.llamacpp import available

    if not available():
        if os.environ.get("HANJI_TEST_REQUIRE_LLAMACPP") == "1":
            pytest.fail("HANJI_TEST_REQUIRE_LLAMACPP=1 but llama-cpp-python is not installed")
        pytest.skip("llama-cpp-python is not installed (make llamacpp)")
