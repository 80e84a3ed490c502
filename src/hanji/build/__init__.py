"""`hanji build`: corpus → lexicon → tokenizer → train → eval, resumable, one manifest."""

from hanji.build.runner import STAGE_NAMES, BuildError, build

__all__ = ["STAGE_NAMES", "BuildError", "build"]
