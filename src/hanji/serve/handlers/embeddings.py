"""POST /v1/embeddings (float lists, or base64 little-endian float32 as the SDKs ask)."""

from __future__ import annotations

import base64
import struct

from hanji.serve.backends.base import EmbedRequest
from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.common import account, nfc, note_unknown_fields, within
from hanji.serve.protocol import EmbeddingData, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage


def to_base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


async def create_embeddings(
    body: EmbeddingRequest, ctx: RequestContext, gw: Gateway
) -> EmbeddingResponse:
    note_unknown_fields(ctx, body)
    backend = gw.backend_for(ctx, body.model)
    if ctx.key is not None:
        gw.limiter.check_tokens(ctx.key)
    inputs = tuple(nfc(item) if isinstance(item, str) else tuple(item) for item in body.inputs())
    request = EmbedRequest(model=body.model, inputs=inputs, dimensions=body.dimensions)
    result = await within(ctx, gw, gw.pipeline.embed(ctx, backend, request))
    account(ctx, gw, result.usage)
    encode = to_base64 if body.encoding_format == "base64" else (lambda v: v)
    return EmbeddingResponse(
        data=[
            EmbeddingData(index=i, embedding=encode(vector))
            for i, vector in enumerate(result.vectors)
        ],
        model=body.model,
        usage=EmbeddingUsage(
            prompt_tokens=result.usage.prompt_tokens, total_tokens=result.usage.prompt_tokens
        ),
    )
