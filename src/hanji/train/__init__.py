"""Staged continued pre-training (EEVE-style) and Korean SFT on transformers/PEFT.

Names are imported on first use, so importing the package — as the CLI does — does not
pull in torch.
"""

from hanji.lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "LoopConfig": "hanji.train.loop",
        "StageSpec": "hanji.train.loop",
        "Summary": "hanji.train.loop",
        "default_stages": "hanji.train.api",
        "train_cpt": "hanji.train.api",
        "train_sft": "hanji.train.api",
    },
)
