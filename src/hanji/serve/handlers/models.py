"""GET /v1/models and /v1/models/{model}: only the models the caller's tenant may use."""

from __future__ import annotations

from hanji.serve.context import RequestContext
from hanji.serve.errors import model_not_found
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import ModelCard, ModelList


def list_models(ctx: RequestContext, gw: Gateway, created: int) -> ModelList:
    return ModelList(data=[ModelCard(id=name, created=created) for name in gw.visible_models(ctx)])


def get_model(model: str, ctx: RequestContext, gw: Gateway, created: int) -> ModelCard:
    if model not in gw.visible_models(ctx):
        raise model_not_found(model)
    return ModelCard(id=model, created=created)
