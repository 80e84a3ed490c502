"""Korean vocabulary expansion of a byte-level BPE tokenizer, embedding init, and statistics."""

from hanji.tokenizer.extend import Extension, UnsupportedTokenizerError, learn_extension
from hanji.tokenizer.stats import TokenizerStats, tokenizer_stats

__all__ = [
    "Extension",
    "TokenizerStats",
    "UnsupportedTokenizerError",
    "learn_extension",
    "tokenizer_stats",
]
