"""The one async interface every backend implements, and the plain types it speaks.

Handlers and the policy/guard pipeline see only these types, never HTTP or torch: a
backend turns a `GenerateRequest` into a stream of `Chunk`s (and, optionally, a whole
`GenerateResult` at once) and an `EmbedRequest` into vectors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from hanji.serve.errors import InvalidRequest

FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    name: str | None = None


@dataclass(frozen=True)
class SamplingParams:
    max_tokens: int
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None


@dataclass(frozen=True)
class GenerateRequest:
    """Exactly one of ``messages`` (chat) and ``prompt`` (text completion) is set."""

    model: str
    params: SamplingParams
    messages: tuple[Message, ...] | None = None
    prompt: str | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("GenerateRequest needs exactly one of messages and prompt")

    @property
    def is_chat(self) -> bool:
        return self.messages is not None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Chunk:
    """A piece of a stream; the last one carries ``finish_reason`` and ``usage``."""

    text: str = ""
    finish_reason: FinishReason | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class GenerateResult:
    text: str
    finish_reason: FinishReason
    usage: Usage


@dataclass(frozen=True)
class EmbedRequest:
    model: str
    inputs: tuple[str | tuple[int, ...], ...]
    dimensions: int | None = None


@dataclass(frozen=True)
class EmbedResult:
    vectors: list[list[float]]
    usage: Usage = field(default_factory=Usage)


class Backend(ABC):
    """One served model. ``start`` loads or connects; ``close`` frees; both are idempotent."""

    kind: ClassVar[str] = "abstract"

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def host(self) -> str | None:
        """Where requests leave the process (a hostname), or None when served in-process.

        The policy layer uses it to keep a tenant's data inside its perimeter.
        """
        return None

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Load weights or open connections before the first request."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what ``start`` took."""

    @property
    def ready(self) -> bool:
        return True

    @abstractmethod
    def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        """Generate, yielding text as it comes; the final chunk has finish_reason and usage."""

    async def generate(self, request: GenerateRequest) -> GenerateResult:
        """A whole completion; by default the stream, collected."""
        parts: list[str] = []
        finish: FinishReason = "stop"
        usage = Usage()
        async for chunk in self.stream(request):
            parts.append(chunk.text)
            if chunk.finish_reason is not None:
                finish = chunk.finish_reason
            if chunk.usage is not None:
                usage = chunk.usage
        return GenerateResult("".join(parts), finish, usage)

    async def embed(self, request: EmbedRequest) -> EmbedResult:
        raise InvalidRequest(
            f"the model '{self.name}' does not support embeddings",
            param="model",
            code="unsupported_model",
        )
