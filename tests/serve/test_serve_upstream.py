"""The `openai` backend: a second hanji instance as the upstream; error mapping; retries."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from serve_fakes import ASK, Running, ServerThread, start_hanji

from hanji.serve.app import create_app
from hanji.serve.backends.base import GenerateRequest, Message, SamplingParams
from hanji.serve.backends.openai_compat import OpenAIBackend
from hanji.serve.errors import BadGateway, GatewayTimeout, InvalidRequest, RateLimited
from hanji.settings import Settings, UpstreamConfig
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store


@pytest.fixture(scope="module")
def chain(
    tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path
) -> Iterator[tuple[Running, Running]]:
    """upstream: hanji serving the tiny model; gateway: hanji with --upstream pointing at it."""
    upstream_server, upstream_key = start_hanji(tmp_path_factory.mktemp("up"), tiny_model_dir)
    with upstream_server as up, pytest.MonkeyPatch.context() as mp:
        mp.setenv("TEST_UPSTREAM_KEY", upstream_key)
        settings = Settings(
            home=tmp_path_factory.mktemp("gw"),
            pepper=secrets.token_hex(16),
            upstreams=[
                {
                    "url": f"{up.url}/v1",
                    "model": "tiny-ko",
                    "name": "hanji-remote",
                    "key_env": "TEST_UPSTREAM_KEY",
                }
            ],
        )
        store = Store(settings.db_url)
        store.create_tenant("원격고객", "general")
        _, key = issue_key(store, settings.pepper_bytes(), "원격고객")
        store.close()
        with ServerThread(create_app(settings)) as gw:
            yield Running(up.url, upstream_key), Running(gw.url, key)


def _client(r: Running) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{r.url}/v1", api_key=r.key, max_retries=0, timeout=60)


def test_chat_through_the_gateway_matches_the_upstream(chain: tuple[Running, Running]) -> None:
    up, gw = chain
    direct = _client(up).chat.completions.create(
        model="tiny-ko", messages=ASK, max_tokens=10, temperature=0
    )
    via = _client(gw).chat.completions.create(
        model="hanji-remote", messages=ASK, max_tokens=10, temperature=0
    )
    assert via.model == "hanji-remote"
    assert via.choices[0].message.content == direct.choices[0].message.content
    assert via.usage.model_dump() == direct.usage.model_dump()
    assert via.choices[0].finish_reason == direct.choices[0].finish_reason


def test_stream_through_the_gateway(chain: tuple[Running, Running]) -> None:
    up, gw = chain
    direct = _client(up).chat.completions.create(
        model="tiny-ko", messages=ASK, max_tokens=10, temperature=0
    )
    chunks = list(
        _client(gw).chat.completions.create(
            model="hanji-remote",
            messages=ASK,
            max_tokens=10,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        == direct.choices[0].message.content
    )
    assert chunks[-1].usage.completion_tokens == direct.usage.completion_tokens


def test_async_completions_and_embeddings_through_the_gateway(
    chain: tuple[Running, Running],
) -> None:
    up, gw = chain

    async def main() -> tuple[str, str, list[float], list[float]]:
        a = openai.AsyncOpenAI(base_url=f"{gw.url}/v1", api_key=gw.key, max_retries=0)
        b = openai.AsyncOpenAI(base_url=f"{up.url}/v1", api_key=up.key, max_retries=0)
        try:
            via, direct = await asyncio.gather(
                a.completions.create(
                    model="hanji-remote", prompt="서울의 봄은", max_tokens=5, temperature=0
                ),
                b.completions.create(
                    model="tiny-ko", prompt="서울의 봄은", max_tokens=5, temperature=0
                ),
            )
            e1, e2 = await asyncio.gather(
                a.embeddings.create(model="hanji-remote", input="한지"),
                b.embeddings.create(model="tiny-ko", input="한지"),
            )
        finally:
            await a.close()
            await b.close()
        return (
            via.choices[0].text,
            direct.choices[0].text,
            e1.data[0].embedding,
            e2.data[0].embedding,
        )

    via, direct, v1, v2 = asyncio.run(main())
    assert via == direct
    assert v1 == pytest.approx(v2, abs=1e-6)


def test_upstream_validation_errors_pass_through_as_400(chain: tuple[Running, Running]) -> None:
    _, gw = chain
    long = [{"role": "user", "content": "가나다라마바사 " * 200}]
    with pytest.raises(openai.BadRequestError) as info:
        _client(gw).chat.completions.create(model="hanji-remote", messages=long, max_tokens=4)
    assert "context" in info.value.body["message"]


# ---------------------------------------------------------------- without a network


def _backend(handler, **config: object) -> OpenAIBackend:
    cfg = UpstreamConfig(url="http://upstream.internal/v1", model="m", **config)
    return OpenAIBackend(cfg, api_key="sk-upstream", transport=httpx.MockTransport(handler))


REQ = GenerateRequest("m", SamplingParams(max_tokens=4), messages=(Message("user", "안녕"),))


@pytest.mark.parametrize(
    ("status", "error", "headers"),
    [
        (400, InvalidRequest, {}),
        (422, InvalidRequest, {}),
        (401, BadGateway, {}),
        (404, BadGateway, {}),
        (500, BadGateway, {}),
        (503, BadGateway, {}),
        (504, GatewayTimeout, {}),
        (429, RateLimited, {"retry-after": "7"}),
    ],
)
def test_upstream_status_mapping(status: int, error: type, headers: dict[str, str]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            status, json={"error": {"message": "거절됨", "param": "messages"}}, headers=headers
        )

    async def main() -> None:
        backend = _backend(handler)
        await backend.start()
        try:
            with pytest.raises(error) as info:
                await backend.generate(REQ)
            if status == 429:
                assert info.value.headers["Retry-After"] == "7"
            if status == 401:  # the caller never learns about the gateway's own credentials
                assert "sk-upstream" not in info.value.message
        finally:
            await backend.close()

    asyncio.run(main())
    assert len(seen) == 1  # HTTP errors are never retried
    assert seen[0].headers["authorization"] == "Bearer sk-upstream"
    assert seen[0].url.path == "/v1/chat/completions"


def test_connection_errors_are_retried_then_502(caplog: pytest.LogCaptureFixture) -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(
            200, json={"choices": [{"message": {"content": "네"}, "finish_reason": "stop"}]}
        )

    async def main(retries: int) -> object:
        backend = _backend(handler, connect_retries=retries)
        await backend.start()
        try:
            return await backend.generate(REQ)
        finally:
            await backend.close()

    result = asyncio.run(main(2))
    assert result.text == "네" and attempts == 3
    assert not [r for r in caplog.records if r.name == "hanji.serve.upstream"]  # retried fine
    attempts = 0
    with pytest.raises(BadGateway, match="unreachable"):
        asyncio.run(main(1))
    assert attempts == 2
    (failed,) = [r for r in caplog.records if r.name == "hanji.serve.upstream"]
    assert failed.getMessage() == "upstream request failed"
    assert (failed.error, failed.attempts) == ("ConnectError", 2)  # type: ignore[attr-defined]


def test_read_timeout_is_504_and_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("slow", request=request)

    async def main() -> None:
        backend = _backend(handler)
        await backend.start()
        try:
            await backend.generate(REQ)
        finally:
            await backend.close()

    with pytest.raises(GatewayTimeout):
        asyncio.run(main())
    assert calls == 1


def test_unreachable_upstream_is_502_for_the_client(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    cfg = UpstreamConfig(
        url=f"http://127.0.0.1:{dead}/v1", model="m", name="dead", connect_retries=1
    )
    with ServerThread(create_app(settings, backends=[OpenAIBackend(cfg)], store=store)) as running:
        client = openai.OpenAI(base_url=f"{running.url}/v1", api_key=tenant_key, max_retries=0)
        for stream in (False, True):
            with pytest.raises(openai.APIStatusError) as info:
                client.chat.completions.create(model="dead", messages=ASK, stream=stream)
            assert info.value.status_code == 502


class _RawUpstream:
    """A one-thread TCP server that answers each request with ``reply(n, request_bytes)``
    (None: hang up without answering), counting connections and keeping what it read."""

    def __init__(self, reply) -> None:  # type: ignore[no-untyped-def]
        import threading

        self.reply = reply
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while True:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        piece = conn.recv(65536)
                        if not piece:
                            break
                        data += piece
                    if not data:
                        break
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = int(
                        next(
                            (
                                line.split(b":")[1]
                                for line in head.split(b"\r\n")
                                if line.lower().startswith(b"content-length:")
                            ),
                            b"0",
                        )
                    )
                    while len(body) < length:
                        body += conn.recv(65536)
                    self.requests.append(head)
                    answer = self.reply(len(self.requests), head)
                    if answer is None:
                        break  # hang up after reading the whole request
                    conn.sendall(answer)

    def close(self) -> None:
        self.sock.close()


_COMPLETION = (
    b'{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"\xeb\x84\xa4"},"finish_reason":"stop"}],'
    b'"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
)


def _ok(extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: %d\r\n\r\n" % len(_COMPLETION)
        + _COMPLETION
    )


def _ask(backend: OpenAIBackend) -> object:
    async def main() -> object:
        await backend.start()
        try:
            return await backend.generate(REQ)
        finally:
            await backend.close()

    return asyncio.run(main())


def test_upstream_hanging_up_after_the_request_is_502_and_never_retried() -> None:
    """The request reached the upstream: a retry could run the generation twice."""
    up = _RawUpstream(lambda n, head: None)
    try:
        cfg = UpstreamConfig(url=up.url, model="m", name="flaky", connect_retries=3)
        with pytest.raises(BadGateway):
            _ask(OpenAIBackend(cfg))
        assert len(up.requests) == 1
    finally:
        up.close()


def test_upstream_cookies_are_not_replayed_on_later_requests() -> None:
    """One connection pool serves every tenant: no cookie jar may carry state between them."""
    up = _RawUpstream(lambda n, head: _ok(b"Set-Cookie: session=tenant-a; Path=/\r\n"))
    try:
        # a host name, not an IP: cookie jars keep no cookies for bare IP addresses
        url = up.url.replace("127.0.0.1", "localhost")
        cfg = UpstreamConfig(url=url, model="m", name="jar", pool_shards=1)
        backend = OpenAIBackend(cfg)

        async def main() -> None:
            await backend.start()
            try:
                for _ in range(2):
                    await backend.generate(REQ)
            finally:
                await backend.close()

        asyncio.run(main())
        assert len(up.requests) == 2
        assert all(b"cookie:" not in head.lower() for head in up.requests)
    finally:
        up.close()


def test_a_proxy_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Networks with separated segments (망분리) reach upstreams through a proxy."""
    proxy = _RawUpstream(lambda n, head: _ok())
    monkeypatch.setenv("HTTP_PROXY", proxy.url.removesuffix("/v1"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        cfg = UpstreamConfig(url="http://upstream.example/v1", model="m", name="via-proxy")
        _ask(OpenAIBackend(cfg))
        assert proxy.requests[0].startswith(b"POST http://upstream.example/v1/chat/completions")
    finally:
        proxy.close()
