"""Mine the inline corpus once per session: Kiwi takes about a second to load."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test modules here import their corpus as `lexicon_corpus`, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

from lexicon_corpus import DOCS


@pytest.fixture(scope="session")
def mined():
    from hanji.lexicon import MineConfig, mine_with_stats

    return mine_with_stats(DOCS, config=MineConfig(min_freq=3))
