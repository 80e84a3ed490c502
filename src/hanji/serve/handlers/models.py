"""GET /v1/models and /v1/models/{model}: only the models the caller's tenant may use."""

from __future__ import annotations

from hanji.serve.context import RequestContext
from hanji.serve.errors import model_not_found
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import ModelCard, ModelList


async def list_models(body: None, ctx: RequestContext, gw: Gateway) -> ModelList:
    cards = [ModelCard(id=name, created=gw.created) for name in gw.visible_models(ctx)]
    return ModelList(data=cards)


async def get_model(body: None, ctx: RequestContext, gw: Gateway) -> ModelCard:
    model = ctx.path_params["model"]
    if model not in gw.visible_models(ctx):
        raise model_not_found(model)
    return ModelCard(id=model, created=gw.created)
