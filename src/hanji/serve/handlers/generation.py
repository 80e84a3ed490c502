"""Shared flow of chat and text completions: whole replies and SSE streams.

A stream is primed (its first chunk awaited) before the response starts, so a refusal, an
overloaded model or an unreachable upstream is still a plain HTTP error with the right
status. After that, an error can only travel inside the stream as an OpenAI error event,
which the SDKs raise as an exception.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Protocol

from pydantic import BaseModel

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    FinishReason,
    GenerateRequest,
    GenerateResult,
    Usage,
)
from hanji.serve.context import RequestContext
from hanji.serve.errors import APIError, ServerError
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.common import SSE_DONE, account, sse, within

log = logging.getLogger("hanji.serve")


class Renderer(Protocol):
    """Turns backend results into one endpoint's OpenAI objects."""

    def whole(self, result: GenerateResult) -> BaseModel: ...

    def opening(self) -> BaseModel | None: ...

    def piece(self, text: str) -> BaseModel: ...

    def closing(self, finish: FinishReason) -> BaseModel: ...

    def usage(self, usage: Usage) -> BaseModel: ...


async def run_generation(
    ctx: RequestContext,
    gw: Gateway,
    backend: Backend,
    request: GenerateRequest,
    render: Renderer,
    *,
    stream: bool,
    include_usage: bool,
) -> BaseModel | AsyncIterator[bytes]:
    if ctx.key is not None:
        gw.limiter.check_tokens(ctx.key)
    ctx.stream = stream
    if not stream:
        result = await within(ctx, gw, gw.pipeline.generate(ctx, backend, request))
        account(ctx, gw, result.usage)
        return render.whole(result)
    chunks = await within(ctx, gw, gw.pipeline.stream(ctx, backend, request))
    try:
        first = await within(ctx, gw, anext(chunks, None))
    except BaseException:
        await _close(chunks)
        raise
    return _sse(ctx, gw, chunks, first, render, include_usage)


async def _close(chunks: AsyncIterator[Chunk]) -> None:
    """Close a stream early (client gone, error): a local generation then stops."""
    close = getattr(chunks, "aclose", None)
    if close is not None:
        await close()


async def _sse(
    ctx: RequestContext,
    gw: Gateway,
    chunks: AsyncIterator[Chunk],
    first: Chunk | None,
    render: Renderer,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    usage = Usage()
    try:
        try:
            opening = render.opening()
            if opening is not None:
                yield sse(opening.model_dump_json())
            chunk = first
            while chunk is not None:
                if chunk.text:
                    yield sse(render.piece(chunk.text).model_dump_json())
                if chunk.usage is not None:
                    usage = chunk.usage
                    account(ctx, gw, usage)
                if chunk.finish_reason is not None:
                    yield sse(render.closing(chunk.finish_reason).model_dump_json())
                chunk = await within(ctx, gw, anext(chunks, None))
            if include_usage:
                yield sse(render.usage(usage).model_dump_json())
            yield SSE_DONE
        except APIError as err:
            ctx.error_code = err.code
            yield sse(err.to_json())
        except Exception as exc:
            log.error(
                "stream failed",
                extra={"request_id": ctx.request_id, "error": type(exc).__name__},
            )
            ctx.error_code = "internal_error"
            yield sse(ServerError("The server had an error while streaming.").to_json())
    finally:
        await _close(chunks)
