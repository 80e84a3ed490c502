"""Backends behind one async interface: `local` (transformers, in-process) and `openai` (HTTP).

Heavy libraries load only when a local backend starts, so importing this stays cheap.
"""

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    GenerateRequest,
    GenerateResult,
    Message,
    SamplingParams,
    Usage,
)

__all__ = [
    "Backend",
    "Chunk",
    "EmbedRequest",
    "EmbedResult",
    "GenerateRequest",
    "GenerateResult",
    "Message",
    "SamplingParams",
    "Usage",
]
