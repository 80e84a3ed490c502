"""The OpenAI-compatible routes under /v1."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from hanji.serve.auth import TenantDep
from hanji.serve.handlers import chat, completions, embeddings, models
from hanji.serve.protocol import (
    ChatCompletionRequest,
    ChatCompletionResponse,
    CompletionRequest,
    CompletionResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    ModelCard,
    ModelList,
)
from hanji.serve.routers.deps import ERROR_RESPONSES, ContextDep, GatewayDep, json_response, reply

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)


@router.get("/models", responses={200: {"model": ModelList}})
async def list_models(_: TenantDep, ctx: ContextDep, gw: GatewayDep) -> Response:
    return json_response(models.list_models(ctx, gw, gw.created))


@router.get("/models/{model:path}", responses={200: {"model": ModelCard}})
async def get_model(model: str, _: TenantDep, ctx: ContextDep, gw: GatewayDep) -> Response:
    return json_response(models.get_model(model, ctx, gw, gw.created))


@router.post("/chat/completions", responses={200: {"model": ChatCompletionResponse}})
async def chat_completions(
    body: ChatCompletionRequest, _: TenantDep, ctx: ContextDep, gw: GatewayDep
) -> Response:
    return reply(await chat.create_chat_completion(body, ctx, gw))


@router.post("/completions", responses={200: {"model": CompletionResponse}})
async def text_completions(
    body: CompletionRequest, _: TenantDep, ctx: ContextDep, gw: GatewayDep
) -> Response:
    return reply(await completions.create_completion(body, ctx, gw))


@router.post("/embeddings", responses={200: {"model": EmbeddingResponse}})
async def create_embeddings(
    body: EmbeddingRequest, _: TenantDep, ctx: ContextDep, gw: GatewayDep
) -> Response:
    return json_response(await embeddings.create_embeddings(body, ctx, gw))
