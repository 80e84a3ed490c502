"""Suite-wide settings: never touch the network, keep converted models in one cache."""

import os

# The Hub is unreachable here; offline mode makes Hub failures immediate instead of retried.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
