"""Staged continued pre-training (EEVE-style) and Korean SFT on transformers/PEFT."""

from hanji.train.api import default_stages, train_cpt, train_sft
from hanji.train.loop import LoopConfig, StageSpec, Summary

__all__ = ["LoopConfig", "StageSpec", "Summary", "default_stages", "train_cpt", "train_sft"]
