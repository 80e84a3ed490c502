"""`hanji build`: corpus → lexicon → tokenizer → train → eval, resumable, one manifest."""

from hanji.lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "STAGE_NAMES": "hanji.build.runner",
        "BuildError": "hanji.build.runner",
        "build": "hanji.build.runner",
    },
)
