"""POST /v1/completions (legacy text completions; one text prompt per request)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from hanji.serve.backends.base import FinishReason, GenerateRequest, GenerateResult, Usage
from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.chat import usage_info
from hanji.serve.handlers.common import new_id, nfc, note_unknown_fields, sampling
from hanji.serve.handlers.generation import run_generation
from hanji.serve.protocol import CompletionChoice, CompletionRequest, CompletionResponse


@dataclass
class CompletionRenderer:
    model: str
    echo: str = ""
    """The prompt, when the caller asked for it to be echoed before the completion."""
    id: str = field(default_factory=lambda: new_id("cmpl"))
    created: int = field(default_factory=lambda: int(time.time()))

    def _chunk(self, text: str, finish: FinishReason | None = None) -> CompletionResponse:
        choice = CompletionChoice(index=0, text=text, finish_reason=finish)
        return CompletionResponse(
            id=self.id, created=self.created, model=self.model, choices=[choice]
        )

    def whole(self, result: GenerateResult) -> CompletionResponse:
        response = self._chunk(self.echo + result.text, result.finish_reason)
        response.usage = usage_info(result.usage)
        return response

    def opening(self) -> CompletionResponse | None:
        return self._chunk(self.echo) if self.echo else None

    def piece(self, text: str) -> CompletionResponse:
        return self._chunk(text)

    def closing(self, finish: FinishReason) -> CompletionResponse:
        return self._chunk("", finish)

    def usage(self, usage: Usage) -> CompletionResponse:
        return CompletionResponse(
            id=self.id, created=self.created, model=self.model, choices=[], usage=usage_info(usage)
        )


async def create_completion(
    body: CompletionRequest, ctx: RequestContext, gw: Gateway
) -> BaseModel | AsyncIterator[bytes]:
    note_unknown_fields(ctx, body)
    backend = gw.backend_for(ctx, body.model)
    prompt = nfc(body.prompt_text())
    request = GenerateRequest(
        model=body.model,
        params=sampling(body, body.max_tokens or 16),
        prompt=prompt,
    )
    render = CompletionRenderer(body.model, echo=prompt if body.echo else "")
    return await run_generation(
        ctx,
        gw,
        backend,
        request,
        render,
        stream=bool(body.stream),
        include_usage=body.wants_usage_chunk(),
    )
