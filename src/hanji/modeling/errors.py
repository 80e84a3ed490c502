"""Errors raised while resolving or loading a model reference."""


class ModelResolutionError(Exception):
    """A model reference could not be resolved or loaded; the message says why and what to do."""
