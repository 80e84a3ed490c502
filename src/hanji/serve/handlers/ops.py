"""GET /healthz and GET /metrics: a health check that reveals nothing, metrics for the operator."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway

_HEALTHY = b'{"status":"ok"}'


async def healthz(body: None, ctx: RequestContext, gw: Gateway) -> Response:
    """Public and constant: no versions, models or counts to fingerprint the deployment."""
    return Response(_HEALTHY, media_type="application/json")


async def metrics(body: None, ctx: RequestContext, gw: Gateway) -> Response:
    backends = [(b.name, b.kind, b.ready) for b in gw.backends.values()]
    return PlainTextResponse(
        gw.metrics.render(backends), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
