"""Suite-wide settings: never touch the network, keep converted models in one cache,
never read the developer's HANJI_* settings."""

import os
import sys
from pathlib import Path

import pytest

# Helpers shared by several test folders (pii_variants) import by name, as serve_fakes does.
sys.path.insert(0, str(Path(__file__).parent))

# The Hub is unreachable here; offline mode makes Hub failures immediate instead of retried.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """HANJI_* variables of the developer's shell must not leak into settings under test."""
    for name in list(os.environ):
        if name.startswith("HANJI_") and not name.startswith(("HANJI_CACHE", "HANJI_TEST_")):
            monkeypatch.delenv(name)
