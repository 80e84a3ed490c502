"""Korean vocabulary expansion of a byte-level BPE tokenizer, embedding init, and statistics."""

from hanji.lazy import lazy_exports

# Imported on first use: the CLI imports this package for every `hanji` command.
__all__ = lazy_exports(
    __name__,
    {
        "Extension": "hanji.tokenizer.extend",
        "TokenizerStats": "hanji.tokenizer.stats",
        "UnsupportedTokenizerError": "hanji.tokenizer.extend",
        "learn_extension": "hanji.tokenizer.extend",
        "tokenizer_stats": "hanji.tokenizer.stats",
    },
)
