"""POST /v1/chat/completions."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from hanji.serve.backends.base import FinishReason, GenerateRequest, GenerateResult, Message, Usage
from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.common import new_id, nfc, note_unknown_fields, sampling
from hanji.serve.handlers.generation import run_generation
from hanji.serve.protocol import (
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionRequest,
    ChatCompletionResponse,
    ChatCompletionStreamChoice,
    DeltaMessage,
    UsageInfo,
)


def usage_info(usage: Usage) -> UsageInfo:
    return UsageInfo(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )


@dataclass
class ChatRenderer:
    model: str
    id: str = field(default_factory=lambda: new_id("chatcmpl"))
    created: int = field(default_factory=lambda: int(time.time()))

    def _chunk(
        self, delta: DeltaMessage, finish: FinishReason | None = None
    ) -> ChatCompletionChunk:
        choice = ChatCompletionStreamChoice(index=0, delta=delta, finish_reason=finish)
        return ChatCompletionChunk(
            id=self.id, created=self.created, model=self.model, choices=[choice]
        )

    def whole(self, result: GenerateResult) -> ChatCompletionResponse:
        choice = ChatCompletionChoice(
            index=0,
            message=ChatCompletionMessage(content=result.text),
            finish_reason=result.finish_reason,
        )
        return ChatCompletionResponse(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[choice],
            usage=usage_info(result.usage),
        )

    def opening(self) -> ChatCompletionChunk:
        return self._chunk(DeltaMessage(role="assistant", content=""))

    def piece(self, text: str) -> ChatCompletionChunk:
        return self._chunk(DeltaMessage(content=text))

    def closing(self, finish: FinishReason) -> ChatCompletionChunk:
        return self._chunk(DeltaMessage(), finish)

    def usage(self, usage: Usage) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self.id, created=self.created, model=self.model, choices=[], usage=usage_info(usage)
        )


async def create_chat_completion(
    body: ChatCompletionRequest, ctx: RequestContext, gw: Gateway
) -> BaseModel | AsyncIterator[bytes]:
    note_unknown_fields(ctx, body)
    backend = gw.backend_for(ctx, body.model)
    max_tokens = body.max_completion_tokens or body.max_tokens or gw.settings.default_max_tokens
    request = GenerateRequest(
        model=body.model,
        params=sampling(body, max_tokens),
        messages=tuple(Message(m.role, nfc(m.text()), m.name) for m in body.messages),
    )
    return await run_generation(
        ctx,
        gw,
        backend,
        request,
        ChatRenderer(body.model),
        stream=bool(body.stream),
        include_usage=body.wants_usage_chunk(),
    )
