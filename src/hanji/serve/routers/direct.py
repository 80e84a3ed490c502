"""The plain JSON requests of the POST routes, answered without FastAPI's request machinery.

FastAPI's way to an endpoint — router layers, dependency solving, body reading,
validation, the response wrapper — cost a third of the gateway's CPU per request
(bench/gateway.py, two cores, a fast upstream, one connection: 1.8 ms of CPU and an added
p50 of 1.48 ms per chat completion through FastAPI; 1.0 ms and 0.84 ms with this layer).
For the one shape of request that matters for latency, this pure-ASGI layer calls the
route's own handler with the route's own request model and answers with the route's own
response, past all of that.

Only the plain case is taken here: a tenant key, ``Content-Type: application/json``, a
body that is a JSON object valid under the route's model, no ``stream``. Anything else —
a body to reject, a stream, the admin key, another content type — goes on to the FastAPI
route with the body replayed, so every error message and every stream has one
implementation (`routers/openai.py`). Tests answer the same requests both ways and compare.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from hanji.serve.context import RequestContext
from hanji.serve.errors import APIError
from hanji.serve.gateway import Gateway
from hanji.serve.handlers import chat, completions, embeddings
from hanji.serve.middleware import Message, Receive, Scope, Send, header
from hanji.serve.protocol import (
    ChatCompletionRequest,
    CompletionRequest,
    EmbeddingRequest,
    OpenAIRequest,
)
from hanji.serve.routers.deps import json_response

Handler = Callable[[Any, RequestContext, Gateway], Awaitable[BaseModel | AsyncIterator[bytes]]]


@dataclass(frozen=True)
class DirectRoute:
    model: type[OpenAIRequest]
    handler: Handler


ROUTES = {
    "/v1/chat/completions": DirectRoute(ChatCompletionRequest, chat.create_chat_completion),
    "/v1/completions": DirectRoute(CompletionRequest, completions.create_completion),
    "/v1/embeddings": DirectRoute(EmbeddingRequest, embeddings.create_embeddings),
}

_JSON = frozenset({"application/json", "application/json; charset=utf-8"})


def _json_content(scope: Scope) -> bool:
    return (header(scope, b"content-type") or "").lower() in _JSON


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that hands out what was already read, then reads on."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class DirectRoutes:
    """Sits inside `GatewayMiddleware`: requests arrive authenticated, with their context."""

    def __init__(self, app: Any, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = ROUTES.get(scope["path"]) if scope["type"] == "http" else None
        state = scope.get("state") or {}
        principal = state.get("principal")
        if (
            route is None
            or scope["method"] != "POST"
            or principal is None
            or principal.tenant is None
            or not _json_content(scope)
        ):
            await self.app(scope, receive, send)
            return
        ctx: RequestContext = state["ctx"]
        messages: list[Message] = []
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
        except APIError as err:  # the body limit, counted as the body arrives
            ctx.error_code = err.code
            await err.response()(scope, receive, send)
            return
        request = None
        if message["type"] == "http.request":
            body = b"".join(m.get("body", b"") for m in messages)
            try:
                data = json.loads(body)
                if isinstance(data, dict):
                    request = route.model.model_validate(data)
            except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
                request = None
        if request is None or getattr(request, "stream", False):
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            result = await route.handler(request, ctx, self.gateway)
            assert isinstance(result, BaseModel), "a request without stream is answered whole"
            response = json_response(result)
        except APIError as err:
            ctx.error_code = err.code
            response = err.response()
        await response(scope, receive, send)
