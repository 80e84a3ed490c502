"""The attack matrix's variants: one identifier written to slip past the recognisers.

Shared by tests/privacy (detection) and tests/serve (the gateway, plain and SSE).
"""

from __future__ import annotations

RRN = "900101-1234568"
FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")
BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
DASHES = ["\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "\uff0d", "\ufe63"]
SEPARATORS = ["\u00a0", "\t", "\n", "-\n", " - ", "--", "/", "_", " / "]


def variants(value: str) -> list[str]:
    head, _, tail = value.partition("-")
    out = [value.translate(FULL), value.translate(BOLD), value.translate(ARABIC)]
    out += [head + "-" + tail[:2] + z + tail[2:] for z in INVISIBLE]  # inside the number
    out += [head[:3] + z + head[3:] + "-" + tail for z in INVISIBLE]
    out += [head + d + tail for d in DASHES]
    out += [head + s + tail for s in SEPARATORS]
    out += [value.translate(FULL).replace("３", "３\u200b")]  # both at once
    return out
