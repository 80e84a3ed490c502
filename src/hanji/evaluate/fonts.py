"""A Korean font for every figure, so Hangul never renders as tofu (□).

matplotlib's default DejaVu Sans has no Hangul. The NanumGothic that the PyPI package
``koreanize-matplotlib`` ships is located through the package's folder — without importing
it, since its import changes matplotlib's global settings — and registered with the font
manager. Figures then draw inside `korean_rc()`, which names it first and turns off the
Unicode minus sign (NanumGothic has no U+2212 glyph).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

FONT_FILE = "NanumGothic.ttf"


class KoreanFontError(RuntimeError):
    """No Korean font could be found; the message says what to install."""


def korean_font_path() -> Path:
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "fonts" / FONT_FILE
        if candidate.is_file():
            return candidate
    raise KoreanFontError(
        "no Korean font for figures: install the 'koreanize-matplotlib' package "
        "(pip install koreanize-matplotlib), which ships NanumGothic"
    )


@cache
def korean_font_family() -> str:
    """Register the font once with matplotlib; return its family name."""
    from matplotlib import font_manager

    path = korean_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.get_font(str(path)).family_name


def korean_rc() -> dict[str, Any]:
    """rcParams for a figure with Hangul: pass to ``matplotlib.rc_context``."""
    return {
        "font.family": [korean_font_family(), "DejaVu Sans"],
        "axes.unicode_minus": False,
    }
