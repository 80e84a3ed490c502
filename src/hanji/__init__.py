"""hanji: Korean-specialised language models, built and served where the operator cannot read
customer data."""

__version__ = "0.1.0"
