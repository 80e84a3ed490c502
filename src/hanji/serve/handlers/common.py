"""Small pieces every handler shares: ids, NFC, deadlines, token accounting, SSE framing."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import unicodedata
from collections.abc import Awaitable
from typing import TypeVar

from hanji.serve.backends.base import SamplingParams, Usage
from hanji.serve.context import RequestContext
from hanji.serve.errors import GatewayTimeout
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import GenerationRequest, OpenAIRequest

T = TypeVar("T")

log = logging.getLogger("hanji.serve")

SSE_DONE = b"data: [DONE]\n\n"


def sse(payload: str) -> bytes:
    return b"data: " + payload.encode() + b"\n\n"


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


def nfc(text: str) -> str:
    """Korean typed on some systems arrives decomposed (NFD); models were trained on NFC."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def sampling(body: GenerationRequest, max_tokens: int) -> SamplingParams:
    return SamplingParams(
        max_tokens=max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
        stop=tuple(nfc(s) for s in body.stop_list()),
        seed=body.seed,
        presence_penalty=body.presence_penalty,
        frequency_penalty=body.frequency_penalty,
    )


def remaining_s(ctx: RequestContext, gw: Gateway) -> float:
    return gw.settings.request_timeout_s - (time.perf_counter() - ctx.started)


async def within(ctx: RequestContext, gw: Gateway, work: Awaitable[T]) -> T:
    """Await ``work`` inside the request's deadline; past it, 504."""
    try:
        async with asyncio.timeout(max(remaining_s(ctx, gw), 0.0)):
            return await work
    except TimeoutError:
        raise GatewayTimeout(
            f"The request took longer than {gw.settings.request_timeout_s:g} s."
        ) from None


def account(ctx: RequestContext, gw: Gateway, usage: Usage) -> None:
    ctx.prompt_tokens = usage.prompt_tokens
    ctx.completion_tokens = usage.completion_tokens
    if ctx.key is not None:
        gw.limiter.charge_tokens(ctx.key, usage.total_tokens)


def note_unknown_fields(ctx: RequestContext, body: OpenAIRequest) -> None:
    """Unknown fields are tolerated; their names (never values) go to the log and the record."""
    names = body.unknown_fields()
    if names:
        ctx.note_unknown(names)
        log.info(
            "ignored unknown request fields: %s (request %s)",
            ", ".join(ctx.unknown_fields),
            ctx.request_id,
        )
