"""Operator routes: a health check that reveals nothing, and metrics for the admin key."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import PlainTextResponse, Response

from hanji.serve.auth import AdminDep
from hanji.serve.routers.deps import ERROR_RESPONSES, GatewayDep

router = APIRouter()

_HEALTHY = b'{"status":"ok"}'


@router.get("/healthz")
async def healthz() -> Response:
    """Public and constant: no versions, models or counts to fingerprint the deployment."""
    return Response(_HEALTHY, media_type="application/json")


@router.get("/metrics", responses=ERROR_RESPONSES, response_class=PlainTextResponse)
async def metrics(_: AdminDep, gw: GatewayDep) -> Response:
    backends = [(b.name, b.kind, b.ready) for b in gw.backends.values()]
    return PlainTextResponse(
        gw.metrics.render(backends), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
