"""The gateway fails closed: no request is served while its audit record cannot be written."""

from __future__ import annotations

import json
import time

import pytest
from serve_fakes import FakeBackend
from starlette.testclient import TestClient

from hanji.audit.log import AuditLog
from hanji.audit.verify import verify_log
from hanji.serve.app import create_app
from hanji.settings import Settings
from hanji.tenants.store import Store


def test_gateway_fails_closed_when_the_audit_cannot_be_written(
    settings: Settings, store: Store, tenant_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings, backends=[FakeBackend()], store=store)
    writer = app.state.gateway.audit
    writer.retry_s = 0.05
    headers = {"Authorization": f"Bearer {tenant_key}"}
    real_append = AuditLog.append
    broken = {"on": True}

    def flaky(self: AuditLog, entries: list[dict[str, object]], **kw: object) -> int:
        if broken["on"]:
            raise OSError("disk full")
        return real_append(self, entries)

    monkeypatch.setattr(AuditLog, "append", flaky)
    with TestClient(app) as client:
        assert client.get("/v1/models", headers=headers).status_code == 200
        deadline = time.monotonic() + 5
        while writer.healthy and time.monotonic() < deadline:
            time.sleep(0.01)
        refused = client.get("/v1/models", headers=headers)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "audit_unavailable"
        assert refused.headers["Retry-After"] == "5"
        broken["on"] = False
        while not writer.healthy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert client.get("/v1/models", headers=headers).status_code == 200
        assert writer.flush()
    log = AuditLog(store.engine)
    routes = [json.loads(r.data)["status"] for r in log.records()]
    assert routes == [200, 503, 200]  # nothing lost, the refusal included
    assert verify_log(log).ok
