"""Korean evaluation: bits per character, the neologism probe, multiple-choice tasks, report."""

from hanji.evaluate.bpc import BpcResult, bits_per_character
from hanji.evaluate.choice import score_options
from hanji.evaluate.probe import load_probe, run_probe

__all__ = ["BpcResult", "bits_per_character", "load_probe", "run_probe", "score_options"]
