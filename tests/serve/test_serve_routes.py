"""One path for every request: the route table, request shapes, the order of checks, UTF-8.

The 19 request shapes below were once sent both through a pure-ASGI fast path and through
FastAPI's routes and compared; there is one path now, and each shape pins today's answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from serve_fakes import FakeBackend
from starlette.testclient import TestClient

from hanji.serve.app import create_app
from hanji.serve.auth import Access
from hanji.serve.context import RequestContext
from hanji.serve.errors import NOT_AN_OBJECT, BadGateway
from hanji.serve.gateway import Gateway
from hanji.serve.protocol import ModelCard, OpenAIRequest
from hanji.serve.routes import ROUTES, Route, openapi
from hanji.settings import Settings
from hanji.tenants.store import Store

CHAT = {"model": "fake-ko", "messages": [{"role": "user", "content": "이번 달 결제일 알려 줘"}]}
JSON = "application/json"
NOT_JSON = "The request body is not valid JSON."


def _bad(message: str, param: str | None = None) -> tuple[int, dict[str, Any]]:
    error = {"message": message, "type": "invalid_request_error", "param": param}
    return 400, {**error, "code": "invalid_value"}


CHAT_OK = (200, "chat.completion")
# (path, body bytes, content type or None, (status, error or the object of a 200))
CASES: list[tuple[str, bytes, str | None, tuple[int, Any]]] = [
    ("/v1/chat/completions", json.dumps(CHAT).encode(), JSON, CHAT_OK),
    (
        "/v1/chat/completions",
        json.dumps(CHAT).encode(),
        "application/json; charset=utf-8",
        CHAT_OK,
    ),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "max_tokens": 2, "stop": ["요"]}).encode(),
        JSON,
        CHAT_OK,
    ),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "temperature": 0, "seed": 3}).encode(),
        JSON,
        CHAT_OK,
    ),
    ("/v1/chat/completions", json.dumps({**CHAT, "vendor_flag": True}).encode(), JSON, CHAT_OK),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "model": "nope"}).encode(),
        JSON,
        (
            404,
            {
                "message": "The model 'nope' does not exist or you do not have access to it.",
                "type": "not_found_error",
                "param": "model",
                "code": "model_not_found",
            },
        ),
    ),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "temperature": "hot"}).encode(),
        JSON,
        _bad(
            "temperature: Input should be a valid number, unable to parse string as a number",
            "temperature",
        ),
    ),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "messages": []}).encode(),
        JSON,
        _bad("messages: List should have at least 1 item after validation, not 0", "messages"),
    ),
    (
        "/v1/chat/completions",
        json.dumps({**CHAT, "stream": True}).encode(),
        JSON,
        (200, "chat.completion.chunk"),
    ),
    ("/v1/chat/completions", json.dumps([CHAT]).encode(), JSON, _bad(NOT_AN_OBJECT)),
    ("/v1/chat/completions", b'{"model": "fake-ko", "messages": [', JSON, _bad(NOT_JSON)),
    ("/v1/chat/completions", b"\xff\xfe not utf-8", JSON, _bad(NOT_JSON)),
    ("/v1/chat/completions", b"", JSON, _bad(NOT_AN_OBJECT)),
    ("/v1/chat/completions", json.dumps(CHAT).encode(), "text/plain", _bad(NOT_AN_OBJECT)),
    ("/v1/chat/completions", json.dumps(CHAT).encode(), None, _bad(NOT_AN_OBJECT)),
    (
        "/v1/completions",
        json.dumps({"model": "fake-ko", "prompt": "한국의 수도는"}).encode(),
        JSON,
        (200, "text_completion"),
    ),
    (
        "/v1/completions",
        json.dumps({"model": "fake-ko", "prompt": 5}).encode(),
        JSON,
        _bad("prompt.str: Input should be a valid string", "prompt.str"),
    ),
    (
        "/v1/embeddings",
        json.dumps({"model": "fake-ko", "input": ["가", "나다"]}).encode(),
        JSON,
        (200, "list"),
    ),
    (
        "/v1/embeddings",
        json.dumps({"model": "fake-ko", "input": []}).encode(),
        JSON,
        _bad("input: Value error, input must not be empty", "input"),
    ),
]


def _post(client: TestClient, key: str, path: str, body: bytes, ctype: str | None) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    if ctype is not None:
        headers["Content-Type"] = ctype
    return client.post(path, content=body, headers=headers)


@pytest.mark.parametrize(("path", "body", "ctype", "expected"), CASES)
def test_request_shapes(
    client: TestClient,
    tenant_key: str,
    path: str,
    body: bytes,
    ctype: str | None,
    expected: tuple[int, Any],
) -> None:
    response = _post(client, tenant_key, path, body, ctype)
    status, what = expected
    assert response.status_code == status
    assert response.headers["x-request-id"]
    if status != 200:
        assert response.headers["content-type"] == JSON
        assert response.json() == {"error": what}
    elif response.headers["content-type"].startswith("text/event-stream"):
        first = response.text.split("\n\n")[0].removeprefix("data: ")
        assert json.loads(first)["object"] == what
        assert response.text.rstrip().endswith("data: [DONE]")
    else:
        assert response.headers["content-type"] == JSON
        assert response.json()["object"] == what


def test_every_request_goes_through_the_table(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    """Streamed or not, valid or not: the handler named in the table is the one called."""
    calls: list[bool] = []
    route = next(r for r in ROUTES if r.path == "/v1/chat/completions")

    async def counted(body: Any, ctx: RequestContext, gw: Gateway) -> Any:
        calls.append(bool(body.stream))
        return await route.handler(body, ctx, gw)

    table = [r if r is not route else Route("POST", r.path, counted, r.body) for r in ROUTES]
    app = create_app(settings, backends=[FakeBackend()], store=store, routes=table)
    headers = {"Authorization": f"Bearer {tenant_key}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/v1/chat/completions", json=CHAT, headers=headers).status_code == 200
        streamed = client.post(
            "/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers
        )
        assert streamed.status_code == 200 and streamed.text.rstrip().endswith("data: [DONE]")
        bad = client.post("/v1/chat/completions", json={**CHAT, "n": 3}, headers=headers)
        assert bad.status_code == 400
    assert calls == [False, True], "an invalid body never reaches the handler"


def test_a_new_route_is_one_row_and_a_handler(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    class EchoRequest(OpenAIRequest):
        text: str

    async def echo(body: EchoRequest, ctx: RequestContext, gw: Gateway) -> ModelCard:
        return ModelCard(id=body.text + ctx.path_params["name"], created=0)

    table = (*ROUTES, Route("POST", "/v1/echo/{name}", echo, EchoRequest, ModelCard))
    seen: list[Any] = []

    class Sink:
        def emit(self, record: Any) -> None:
            seen.append(record)

    app = create_app(settings, backends=[FakeBackend()], store=store, routes=table, sinks=[Sink()])
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/v1/echo/가", json={"text": "한"}).status_code == 401
        headers = {"Authorization": f"Bearer {tenant_key}"}
        ok = client.post("/v1/echo/지", json={"text": "한"}, headers=headers)
        assert ok.status_code == 200 and ok.json()["id"] == "한지"
        bad = client.post("/v1/echo/지", json={"text": 1}, headers=headers)
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "text"
        admin = {"Authorization": f"Bearer {settings.admin_key_value()}"}
        assert client.post("/v1/echo/지", json={"text": "한"}, headers=admin).status_code == 403
    assert {r.route for r in seen} == {"/v1/echo/{name}"}
    assert "/v1/echo/{name}" in openapi(table)["paths"]


def test_the_table_names_each_route_once_and_only_healthz_is_public(
    settings: Settings, store: Store
) -> None:
    keys = [(r.method, r.path) for r in ROUTES]
    assert len(keys) == len(set(keys))
    assert [r.path for r in ROUTES if r.access is Access.PUBLIC] == ["/healthz"]
    assert [r.path for r in ROUTES if r.access is Access.ADMIN] == ["/metrics"]
    with pytest.raises(ValueError, match="twice"):
        create_app(settings, backends=[], store=store, routes=(*ROUTES, ROUTES[0]))
    odd = Route("GET", "/v1/files/{n:int}", ROUTES[0].handler)
    with pytest.raises(ValueError, match="str or path"):
        create_app(settings, backends=[], store=store, routes=(*ROUTES, odd))


def test_openapi_document_comes_from_the_table() -> None:
    document = openapi()
    assert set(document["paths"]) == {re.sub(r":path", "", r.path) for r in ROUTES}
    chat = document["paths"]["/v1/chat/completions"]["post"]
    ref = chat["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] in document["components"]["schemas"]
    assert document["paths"]["/healthz"]["get"]["security"] == []


def test_key_is_checked_before_the_schema_but_not_before_json(
    client: TestClient, settings: Settings
) -> None:
    """The admin key on a tenant route: 403 for any JSON body, 400 for one that is not JSON."""
    admin = settings.admin_key_value()
    assert admin
    for body, ctype in (
        (json.dumps(CHAT).encode(), JSON),
        (json.dumps({**CHAT, "temperature": "hot"}).encode(), JSON),
        (json.dumps(CHAT).encode(), "text/plain"),
        (b"", JSON),
    ):
        response = _post(client, admin, "/v1/chat/completions", body, ctype)
        assert response.status_code == 403, body
        assert response.json()["error"]["code"] == "permission_denied"
    response = _post(client, admin, "/v1/chat/completions", b"{not json", JSON)
    assert response.status_code == 400 and response.json()["error"]["message"] == NOT_JSON
    headers = {"Authorization": f"Bearer {admin}"}
    got = client.put("/v1/chat/completions", json=CHAT, headers=headers)
    assert got.status_code == 405


def test_a_trailing_slash_redirects_to_the_route(client: TestClient, tenant_key: str) -> None:
    client.follow_redirects = False
    headers = {"Authorization": f"Bearer {tenant_key}"}
    response = client.post("/v1/chat/completions/", json=CHAT, headers=headers)
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/v1/chat/completions"
    assert client.get("/v1/nothing/", headers=headers).status_code == 404
    assert client.get("/healthz/").status_code == 401  # only /healthz itself is public


def test_head_and_unknown_methods_are_405_even_on_healthz(client: TestClient) -> None:
    response = client.request("HEAD", "/healthz")
    assert response.status_code == 405
    error = client.post("/healthz").json()["error"]
    assert error["code"] == "method_not_allowed"
    assert error["message"] == "Method POST is not allowed on /healthz."


def test_models_route_takes_the_rest_of_the_path(client: TestClient, tenant_key: str) -> None:
    headers = {"Authorization": f"Bearer {tenant_key}"}
    assert client.get("/v1/models/fake-ko", headers=headers).json()["id"] == "fake-ko"
    nested = client.get("/v1/models/a/b", headers=headers)
    assert nested.status_code == 404 and "'a/b'" in nested.json()["error"]["message"]


def test_bodies_are_utf8_not_escaped(client: TestClient, tenant_key: str) -> None:
    """A Korean answer reaches curl as Hangul, not as \\uXXXX escapes: JSON, SSE and errors."""
    headers = {"Authorization": f"Bearer {tenant_key}"}
    whole = client.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert "안녕하세요".encode() in whole.content and b"\\u" not in whole.content
    streamed = client.post("/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers)
    assert "반갑습니다".encode() in streamed.content and b"\\u" not in streamed.content
    missing = client.post(
        "/v1/chat/completions", json={**CHAT, "model": "없는모델"}, headers=headers
    )
    assert missing.status_code == 404 and "없는모델".encode() in missing.content


def test_error_codes_reach_the_record_on_every_path(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    seen: list[Any] = []

    class Sink:
        def emit(self, record: Any) -> None:
            seen.append(record)

    backend = FakeBackend(fail_before=BadGateway("the upstream for 'fake-ko' failed"))
    app = create_app(settings, backends=[backend], store=store, sinks=[Sink()])
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = _post(client, tenant_key, "/v1/chat/completions", json.dumps(CHAT).encode(), JSON)
        invalid = _post(client, tenant_key, "/v1/chat/completions", b"[]", JSON)
        unknown = client.get("/v1/nothing", headers={"Authorization": f"Bearer {tenant_key}"})
    assert failed.status_code == 502 and failed.json()["error"]["code"] == "bad_gateway"
    assert invalid.status_code == 400 and unknown.status_code == 404
    assert [(r.status, r.error_code, r.route) for r in seen] == [
        (502, "bad_gateway", "/v1/chat/completions"),
        (400, "invalid_value", "/v1/chat/completions"),
        (404, "not_found", "other"),
    ]
    assert all(r.tenant_id is not None for r in seen)


def test_body_limit_holds_for_a_chunked_body(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64})
    big = json.dumps({**CHAT, "user": "가" * 200}).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield big[:40]
        yield big[40:]

    app = create_app(small, backends=[FakeBackend()], store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {tenant_key}", "Content-Type": JSON}
        response = client.post("/v1/chat/completions", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
