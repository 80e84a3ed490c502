"""Korean text primitives shared by every stage: normalisation, script statistics, sentences."""

from hanji.text.normalize import normalize
from hanji.text.sentences import get_kiwi, split_sentences, split_sentences_kiwi
from hanji.text.stats import ScriptStats, script_stats

__all__ = [
    "ScriptStats",
    "get_kiwi",
    "normalize",
    "script_stats",
    "split_sentences",
    "split_sentences_kiwi",
]
