"""Request-scoped dependencies as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from starlette.responses import Response, StreamingResponse

from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import ErrorResponse


async def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway


async def get_context(request: Request) -> RequestContext:
    return request.scope["state"]["ctx"]


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
ContextDep = Annotated[RequestContext, Depends(get_context)]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 413, 429, 500, 502, 504)
}

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def json_response(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


def reply(result: BaseModel | AsyncIterator[bytes]) -> Response:
    if isinstance(result, BaseModel):
        return json_response(result)
    return StreamingResponse(result, media_type="text/event-stream", headers=SSE_HEADERS)
