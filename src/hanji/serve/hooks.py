"""The hook chain between handler and backend: the seam for policy and PII guard.

Each `Hook` may refuse a request (raise an `APIError`), rewrite what the backend sees
(e.g. pseudonymise messages), and rewrite what comes back, whole or streamed (e.g. restore
placeholders, mask new PII). Hooks see the `RequestContext` (tenant, profile, key) and the
chosen backend (its kind and host, for perimeter rules), and may note decisions in
``ctx.decisions`` for the audit record. Request hooks run in order; result and stream
hooks in reverse order, so the first hook is the outermost wrapper.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    GenerateRequest,
    GenerateResult,
)
from hanji.serve.context import RequestContext


class Hook:
    """No-op defaults; override what you need."""

    async def on_request(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> GenerateRequest:
        return request

    async def on_result(
        self, ctx: RequestContext, request: GenerateRequest, result: GenerateResult
    ) -> GenerateResult:
        return result

    def on_stream(
        self, ctx: RequestContext, request: GenerateRequest, stream: AsyncIterator[Chunk]
    ) -> AsyncIterator[Chunk]:
        return stream

    async def on_embed(
        self, ctx: RequestContext, backend: Backend, request: EmbedRequest
    ) -> EmbedRequest:
        return request


class Pipeline:
    def __init__(self, hooks: Sequence[Hook] = ()) -> None:
        self.hooks = tuple(hooks)

    async def _prepare(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> GenerateRequest:
        for hook in self.hooks:
            request = await hook.on_request(ctx, backend, request)
        return request

    async def generate(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> GenerateResult:
        request = await self._prepare(ctx, backend, request)
        result = await backend.generate(request)
        for hook in reversed(self.hooks):
            result = await hook.on_result(ctx, request, result)
        return result

    async def stream(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> AsyncIterator[Chunk]:
        """Hooks run before the first chunk is asked for, so a refusal is a plain HTTP error."""
        request = await self._prepare(ctx, backend, request)
        stream = backend.stream(request)
        for hook in reversed(self.hooks):
            stream = hook.on_stream(ctx, request, stream)
        return stream

    async def embed(
        self, ctx: RequestContext, backend: Backend, request: EmbedRequest
    ) -> EmbedResult:
        for hook in self.hooks:
            request = await hook.on_embed(ctx, backend, request)
        return await backend.embed(request)
