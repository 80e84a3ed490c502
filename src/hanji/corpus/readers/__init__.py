"""Readers: recipe sources → accounted datatrove documents (one module per input format)."""
