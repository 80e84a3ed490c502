"""Hostile input never gets a 500 (issue 18, section 2): deep JSON, lone surrogates, huge
headers, stalled bodies, generated bodies on every route; the unhandled-error log line."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from serve_fakes import FakeBackend
from starlette.testclient import TestClient

from hanji.serve.app import create_app, uvicorn_options
from hanji.serve.asgi import nested_deeper
from hanji.serve.auth import Access
from hanji.serve.routes import ROUTES, Route
from hanji.settings import Settings
from hanji.tenants.store import Store

BODY_ROUTES = [r.path for r in ROUTES if r.body is not None and not r.form]
"""Routes with a JSON body (the file upload takes a multipart form: its own test)."""


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def assert_openai_error(response: Any, status: int | None = None) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert isinstance(body["error"]["message"], str)
    return body["error"]


def chat_body(model: str, content: str = "안녕하세요") -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}]}


# ---------------------------------------------------------------- nesting depth


def test_nested_deeper_counts_brackets_outside_strings_only() -> None:
    assert not nested_deeper(b"[" * 64 + b"]" * 64, 64)
    assert nested_deeper(b"[" * 65 + b"]" * 65, 64)
    assert nested_deeper(b'{"a":' * 65 + b"1" + b"}" * 65, 64)
    assert not nested_deeper(b'["' + b"[" * 1000 + b'"]', 64)
    assert not nested_deeper(b'["\\"' + b"{" * 1000 + b'"]', 64)
    assert not nested_deeper(b"[]" * 100_000, 64)
    assert not nested_deeper(b"[" * 1000, 64)  # not JSON: the parser says so


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("depth", [65, 50_000, 100_000])
def test_deep_nesting_is_a_400_that_says_so(
    client: TestClient, tenant_key: str, path: str, depth: int
) -> None:
    raw = b'{"model":"fake-ko","messages":' + b"[" * depth + b"]" * depth + b"}"
    error = assert_openai_error(client.post(path, content=raw, headers=auth(tenant_key)), 400)
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "json_too_deep"
    assert "64 levels" in error["message"]


def test_nesting_within_the_limit_is_not_refused_for_depth(
    client: TestClient, tenant_key: str
) -> None:
    body = chat_body("fake-ko")
    body["metadata"] = json.loads("[" * 60 + "]" * 60)
    r = client.post("/v1/chat/completions", json=body, headers=auth(tenant_key))
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- lone surrogates

CHAT, TEXT, EMBED = "/v1/chat/completions", "/v1/completions", "/v1/embeddings"
USER_X = '"messages":[{"role":"user","content":"x"}]'
SURROGATE_BODIES = [
    (CHAT, '{"model":"fake-ko","messages":[{"role":"user","content":"a\\ud800b"}]}',
     "messages.0.content"),
    (CHAT, '{"model":"fake-ko","messages":[{"role":"user","content":'
     '[{"type":"text","text":"\\udc00"}]}]}', "messages.0.content.0.text"),
    (CHAT, '{"model":"fake-ko",' + USER_X + ',"stop":["ok","\\uDBFF"]}', "stop.1"),
    (CHAT, '{"model":"a\\ud800b",' + USER_X + "}", "model"),
    (TEXT, '{"model":"fake-ko","prompt":"a\\ud800b"}', "prompt"),
    (TEXT, '{"model":"fake-ko","prompt":"x","stop":"\\ud800\\ud800"}', "stop"),
    (EMBED, '{"model":"fake-ko","input":["ok","a\\udfffb"]}', "input.1"),
    (EMBED, '{"model":"fake-ko","input":"x","\\ud800":1}', None),
]  # fmt: skip


@pytest.mark.parametrize(("path", "raw", "param"), SURROGATE_BODIES)
def test_lone_surrogate_is_a_400_naming_the_field(
    client: TestClient, tenant_key: str, path: str, raw: str, param: str | None
) -> None:
    r = client.post(path, content=raw.encode(), headers=auth(tenant_key))
    error = assert_openai_error(r, 400)
    assert error["code"] == "invalid_unicode"
    assert error["param"] == param
    if param is not None:
        assert error["message"].startswith(f"{param}: ")
    assert "ud8" not in r.text.lower() and "udc" not in r.text.lower()
    assert "udf" not in r.text.lower() and "udb" not in r.text.lower()


def test_escaped_surrogate_pairs_are_text(
    client: TestClient, tenant_key: str, fake: FakeBackend
) -> None:
    raw = json.dumps(chat_body("fake-ko", "웃음 😀"), ensure_ascii=True).encode()
    assert b"\\ud83d\\ude00" in raw
    r = client.post("/v1/chat/completions", content=raw, headers=auth(tenant_key))
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- headers and slow bodies


def test_headers_over_the_limit_get_431(client: TestClient, tenant_key: str) -> None:
    headers = {**auth(tenant_key), "X-Padding": "a" * (40 * 1024)}
    r = client.post("/v1/chat/completions", json=chat_body("fake-ko"), headers=headers)
    error = assert_openai_error(r, 431)
    assert error["code"] == "request_header_fields_too_large"
    assert client.get("/healthz").status_code == 200


def stalling_receive(first: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    return receive


def test_a_stalled_body_gets_408_after_the_timeout(
    settings: Settings, store: Store, tenant_key: str, fake: FakeBackend
) -> None:
    app = create_app(
        settings.model_copy(update={"body_read_timeout_s": 0.2}), backends=[fake], store=store
    )
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in auth(tenant_key).items()],
    }
    started = time.monotonic()
    asyncio.run(
        asyncio.wait_for(app(scope, stalling_receive(b'{"model":"fake-'), send), timeout=10)
    )
    assert 0.2 <= time.monotonic() - started < 5
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    error = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))["error"]
    assert error["code"] == "request_timeout"


def test_uvicorn_options_come_from_settings(settings: Settings) -> None:
    custom = settings.model_copy(update={"keep_alive_timeout_s": 7, "max_header_bytes": 8192})
    options = uvicorn_options(custom)
    assert options["timeout_keep_alive"] == 7
    assert options["h11_max_incomplete_event_size"] >= 8192


@pytest.fixture
def real_server(settings: Settings, store: Store, fake: FakeBackend) -> Iterator[int]:
    """The gateway under uvicorn (httptools, as `run_server`) on a free port, in a thread."""
    import uvicorn

    limited = settings.model_copy(update={"body_read_timeout_s": 0.5, "header_read_timeout_s": 0.5})
    app = create_app(limited, backends=[fake], store=store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(limited)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(10)


def raw_exchange(port: int, request: bytes, wait_s: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_real_server_answers_431_to_a_1mb_header_and_keeps_serving(
    real_server: int, tenant_key: str
) -> None:
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: Bearer " + tenant_key.encode() + b"\r\n"
        b"X-Padding: " + b"a" * (1024 * 1024) + b"\r\nContent-Length: 0\r\n\r\n"
    )
    answer = raw_exchange(real_server, request)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b'"request_header_fields_too_large"' in answer
    health = raw_exchange(
        real_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert health.startswith(b"HTTP/1.1 200 ")


def test_real_server_cuts_off_a_stalled_body(real_server: int, tenant_key: str) -> None:
    body = json.dumps(chat_body("fake-ko")).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + tenant_key.encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[: len(body) // 2]
    )
    started = time.monotonic()
    answer = raw_exchange(real_server, request, wait_s=5.0)
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert 0.4 <= elapsed < 4.5  # answered and closed by the server, not the client's timeout


@pytest.mark.parametrize(
    "request_start",
    [b"", b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bea"],
    ids=["silent", "trickled"],
)
def test_real_server_cuts_off_headers_that_do_not_arrive(
    real_server: int, request_start: bytes
) -> None:
    """Slowloris: a connection that sends nothing, or half its headers, is answered 408 and
    closed after header_read_timeout_s, and the server goes on serving."""
    started = time.monotonic()
    answer = raw_exchange(real_server, request_start, wait_s=5.0)
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"
    assert 0.4 <= elapsed < 4.5
    health = raw_exchange(
        real_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert health.startswith(b"HTTP/1.1 200 ")


def test_a_slow_answer_is_not_cut_by_the_header_deadline(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    """The deadline covers the headers only: a reply that takes longer still arrives."""
    import httpx
    import uvicorn

    slow = FakeBackend(pieces=["천천히 ", "답합니다"], delay_s=0.4)
    limited = settings.model_copy(update={"header_read_timeout_s": 0.3})
    app = create_app(limited, backends=[slow], store=store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(limited)
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(2):  # the second on the kept-alive connection
                answer = client.post(
                    "/v1/chat/completions",
                    json=chat_body("fake-ko"),
                    headers={"Authorization": f"Bearer {tenant_key}"},
                )
                assert answer.status_code == 200
                assert answer.json()["choices"][0]["message"]["content"] == "천천히 답합니다"
    finally:
        server.should_exit = True
        thread.join(10)


# ---------------------------------------------------------------- the unhandled-error line


async def _boom(body: Any, ctx: Any, gw: Any) -> Any:
    raise RuntimeError("주민번호 800101-1234567 in the exception text")


def test_unhandled_error_log_names_type_and_place_not_content(
    settings: Settings, store: Store, tenant_key: str, fake: FakeBackend, caplog: Any
) -> None:
    routes = [*ROUTES, Route("GET", "/boom", _boom, access=Access.TENANT)]
    app = create_app(settings, backends=[fake], store=store, routes=routes)
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR):
        r = c.get("/boom", headers=auth(tenant_key))
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    lines = [rec for rec in caplog.records if rec.getMessage().startswith("unhandled error")]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert "RuntimeError" in message
    assert "test_serve_hostile_input.py:" in message and "_boom" in message
    assert "800101" not in caplog.text and "주민번호" not in caplog.text


# ---------------------------------------------------------------- generated bodies

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["fake-ko", "user", "system", "text", ""])
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["model", "messages", "role", "content", "prompt", "input", "stop", "type", "text",
             "temperature", "max_tokens", "stream", "n", "seed", "encoding_format", "dimensions"]
        )
        | st.text(max_size=8),
        inner,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip
hostile_bytes = st.sampled_from(
    [
        b"[" * 80_000 + b"]" * 80_000,
        b'{"model":"fake-ko","messages":[{"role":"user","content":"a\\ud800b"}]}',
        b'{"model":"fake-ko","prompt":"\\udc00","input":"\\udbff"}',
        b'{"model":"fake-ko",' + USER_X.encode() + b',"seed":1' + b"0" * 5000 + b"}",
        b'{"model":"fake-ko","messages":[{"role":"user","content":"x"}],"temperature":1e999}',
        b'{"model":"fake-ko","prompt":"x","max_tokens":-1e308}',
        b'{"model":"fake-ko","input":[[1,2],[]]}',
        b"\xff\xfe{}",
        b'{"model":"\xed\xa0\x80"}',
        b"",
        b"null",
    ]
)  # fmt: skip
bodies = (
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    | json_values.map(lambda v: json.dumps(v).encode())
    | hostile_bytes
    | st.binary(max_size=64)
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from(ROUTES), body=bodies, content_type=st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain"]
))  # fmt: skip
def test_generated_bodies_never_get_a_5xx(
    client: TestClient, tenant_key: str, route: Route, body: bytes, content_type: str
) -> None:
    path = route.path.replace("{model:path}", "fake-ko")
    headers = {"Authorization": f"Bearer {tenant_key}", "Content-Type": content_type}
    r = client.request(route.method, path, content=body, headers=headers)
    if r.status_code != 200:
        assert_openai_error(r)
    assert r.status_code < 500, r.text
    after = client.post("/v1/chat/completions", json=chat_body("fake-ko"), headers=auth(tenant_key))
    assert after.status_code == 200


def test_run_server_takes_limits_from_the_gateway_and_defaults_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bench/gateway.py runs a plain ASGI function (its fake upstream) through run_server."""
    import uvicorn

    from hanji.serve.app import run_server

    seen: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(kw))

    async def plain(scope, receive, send):  # type: ignore[no-untyped-def]
        return None

    run_server(plain, host="127.0.0.1", port=1)
    assert seen[-1]["timeout_keep_alive"] == Settings().keep_alive_timeout_s
