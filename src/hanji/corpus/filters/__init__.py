"""Korean filters and cleaners: normalise, script, boilerplate lines, quality, spam.

All of them look at characters only (counts, lines, eojeol n-grams, blocklists): morphological
analysis runs at ~0.15 MB/s per core and has no place on this path.
"""

from hanji.corpus.filters.lines import BoilerplateLines
from hanji.corpus.filters.normalize import Normalize
from hanji.corpus.filters.quality import KoreanQualityFilter
from hanji.corpus.filters.script import ScriptFilter
from hanji.corpus.filters.spam import SpamFilter

__all__ = ["BoilerplateLines", "KoreanQualityFilter", "Normalize", "ScriptFilter", "SpamFilter"]
