"""The one error type of the exporter: a model dir that cannot become a correct GGUF."""


class ExportError(ValueError):
    """The message names the cause (file, architecture, tokenizer) and what to do instead."""
