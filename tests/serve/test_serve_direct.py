"""The ASGI fast path answers exactly as the FastAPI routes do, and only the plain case."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serve_fakes import FakeBackend

from hanji.serve.app import create_app
from hanji.serve.errors import BadGateway
from hanji.serve.routers import direct
from hanji.settings import Settings
from hanji.tenants.store import Store

CHAT = {"model": "fake-ko", "messages": [{"role": "user", "content": "이번 달 결제일 알려 줘"}]}
JSON = "application/json"

# (path, body bytes, content type or None): every shape the fast path takes or passes on
CASES: list[tuple[str, bytes, str | None]] = [
    ("/v1/chat/completions", json.dumps(CHAT).encode(), JSON),
    ("/v1/chat/completions", json.dumps(CHAT).encode(), "application/json; charset=utf-8"),
    ("/v1/chat/completions", json.dumps({**CHAT, "max_tokens": 2, "stop": ["요"]}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "temperature": 0, "seed": 3}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "vendor_flag": True}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "model": "nope"}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "temperature": "hot"}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "messages": []}).encode(), JSON),
    ("/v1/chat/completions", json.dumps({**CHAT, "stream": True}).encode(), JSON),
    ("/v1/chat/completions", json.dumps([CHAT]).encode(), JSON),
    ("/v1/chat/completions", b'{"model": "fake-ko", "messages": [', JSON),
    ("/v1/chat/completions", b"\xff\xfe not utf-8", JSON),
    ("/v1/chat/completions", b"", JSON),
    ("/v1/chat/completions", json.dumps(CHAT).encode(), "text/plain"),
    ("/v1/chat/completions", json.dumps(CHAT).encode(), None),
    ("/v1/completions", json.dumps({"model": "fake-ko", "prompt": "한국의 수도는"}).encode(), JSON),
    ("/v1/completions", json.dumps({"model": "fake-ko", "prompt": 5}).encode(), JSON),
    ("/v1/embeddings", json.dumps({"model": "fake-ko", "input": ["가", "나다"]}).encode(), JSON),
    ("/v1/embeddings", json.dumps({"model": "fake-ko", "input": []}).encode(), JSON),
]

_IDS = re.compile(r'"(id|created)":("[^"]*"|\d+)')


def _client(settings: Settings, store: Store, *, direct_routes: bool) -> TestClient:
    app = create_app(settings, backends=[FakeBackend()], store=store, direct_routes=direct_routes)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def both(settings: Settings, store: Store) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        _client(settings, store, direct_routes=True) as fast,
        _client(settings, store, direct_routes=False) as plain,
    ):
        yield fast, plain


def _answer(client: TestClient, key: str, path: str, body: bytes, ctype: str | None) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    if ctype is not None:
        headers["Content-Type"] = ctype
    response = client.post(path, content=body, headers=headers)
    kept = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, kept, _IDS.sub(r'"\1":_', response.text)


@pytest.mark.parametrize(("path", "body", "ctype"), CASES)
def test_fast_path_answers_like_the_fastapi_route(
    both: tuple[TestClient, TestClient], tenant_key: str, path: str, body: bytes, ctype: str | None
) -> None:
    fast, plain = both
    assert _answer(fast, tenant_key, path, body, ctype) == _answer(
        plain, tenant_key, path, body, ctype
    )


def test_admin_key_and_other_methods_are_passed_on(
    both: tuple[TestClient, TestClient], settings: Settings
) -> None:
    fast, plain = both
    admin = settings.admin_key_value()
    assert admin
    body = json.dumps(CHAT).encode()
    assert _answer(fast, admin, "/v1/chat/completions", body, JSON) == _answer(
        plain, admin, "/v1/chat/completions", body, JSON
    )
    got = fast.put("/v1/chat/completions", json=CHAT, headers={"Authorization": f"Bearer {admin}"})
    assert got.status_code == 405


def test_only_the_plain_case_takes_the_fast_path(
    both: tuple[TestClient, TestClient], tenant_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path must really run (else the comparison above compares a route with itself)."""
    fast, _ = both
    route = direct.ROUTES["/v1/chat/completions"]
    calls: list[bool] = []

    async def counted(body: Any, ctx: Any, gw: Any) -> Any:
        calls.append(bool(body.stream))
        return await route.handler(body, ctx, gw)

    monkeypatch.setitem(
        direct.ROUTES, "/v1/chat/completions", direct.DirectRoute(route.model, counted)
    )
    headers = {"Authorization": f"Bearer {tenant_key}"}
    assert fast.post("/v1/chat/completions", json=CHAT, headers=headers).status_code == 200
    assert calls == [False]
    streamed = fast.post("/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers)
    assert streamed.status_code == 200 and streamed.text.rstrip().endswith("data: [DONE]")
    bad = fast.post("/v1/chat/completions", json={**CHAT, "n": 3}, headers=headers)
    assert bad.status_code == 400
    assert calls == [False], "streams and invalid bodies go to the FastAPI route"


def test_backend_errors_and_the_record_match(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    """An APIError from the backend: same OpenAI error, same code in the request record."""
    seen: list[Any] = []

    class Sink:
        def emit(self, record: Any) -> None:
            seen.append(record)

    answers = []
    for direct_routes in (True, False):
        backend = FakeBackend(fail_before=BadGateway("the upstream for 'fake-ko' failed"))
        app = create_app(
            settings, backends=[backend], store=store, sinks=[Sink()], direct_routes=direct_routes
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            answers.append(
                _answer(client, tenant_key, "/v1/chat/completions", json.dumps(CHAT).encode(), JSON)
            )
    assert answers[0] == answers[1] and answers[0][0] == 502
    assert [(r.status, r.error_code, r.tenant_id) for r in seen[:1]] == [
        (r.status, r.error_code, r.tenant_id) for r in seen[1:]
    ]


def test_body_limit_holds_on_the_fast_path(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64})
    big = json.dumps({**CHAT, "user": "가" * 200}).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield big[:40]
        yield big[40:]

    answers = []
    for direct_routes in (True, False):
        with _client(small, store, direct_routes=direct_routes) as client:
            headers = {"Authorization": f"Bearer {tenant_key}", "Content-Type": JSON}
            response = client.post("/v1/chat/completions", content=chunks(), headers=headers)
            answers.append((response.status_code, response.json()["error"]["code"]))
    assert answers[0] == answers[1] and answers[0][0] == 413
