"""The OpenAI wire format end to end: the real `openai` SDK against the gateway, fake backend."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct
import unicodedata
from collections.abc import AsyncIterator, Iterator

import openai
import pytest
from serve_fakes import FakeBackend, ServerThread
from starlette.testclient import TestClient

from hanji.serve.app import create_app
from hanji.serve.backends.base import Backend, Chunk, GenerateRequest, GenerateResult, Message
from hanji.serve.context import LogSink, RequestContext, RequestRecord
from hanji.serve.errors import BadGateway, InvalidRequest
from hanji.serve.hooks import Hook
from hanji.settings import Settings
from hanji.tenants.store import Store

CANARY = "주민번호-900101-1234567-카나리아"
ASK = [{"role": "user", "content": "오늘 서울 날씨 어때?"}]


class ListSink:
    def __init__(self) -> None:
        self.records: list[RequestRecord] = []

    def emit(self, record: RequestRecord) -> None:
        self.records.append(record)


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def server(settings: Settings, store: Store, fake: FakeBackend, sink: ListSink) -> Iterator[str]:
    app = create_app(settings, backends=[fake], store=store, sinks=[sink])
    with ServerThread(app) as running:
        yield running.url


def sdk(url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=30)


def test_sync_chat_models_and_usage(server: str, tenant_key: str) -> None:
    client = sdk(server, tenant_key)
    assert [m.id for m in client.models.list()] == ["fake-ko"]
    assert client.models.retrieve("fake-ko").id == "fake-ko"
    reply = client.chat.completions.create(
        model="fake-ko", messages=ASK, max_tokens=32, temperature=0.2, top_p=0.9, seed=7, user="u1"
    )
    assert reply.choices[0].message.content == "안녕하세요, 반갑습니다!"
    assert reply.choices[0].finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens) == (
        7,
        3,
        10,
    )
    assert reply.id.startswith("chatcmpl-") and reply.object == "chat.completion"


def test_sampling_parameters_reach_the_backend(
    server: str, tenant_key: str, fake: FakeBackend
) -> None:
    sdk(server, tenant_key).chat.completions.create(
        model="fake-ko",
        messages=[{"role": "system", "content": "존댓말로 답하세요."}, *ASK],
        max_completion_tokens=9,
        temperature=0.0,
        top_p=0.5,
        stop=["끝", "\n\n"],
        seed=42,
    )
    params = fake.requests[-1].params
    assert (params.max_tokens, params.temperature, params.top_p, params.seed) == (9, 0.0, 0.5, 42)
    assert params.stop == ("끝", "\n\n")
    assert fake.requests[-1].messages == (
        Message("system", "존댓말로 답하세요."),
        Message("user", "오늘 서울 날씨 어때?"),
    )


def test_sync_stream_with_usage(server: str, tenant_key: str) -> None:
    stream = sdk(server, tenant_key).chat.completions.create(
        model="fake-ko", messages=ASK, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "안녕하세요, 반갑습니다!"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == 10


def test_async_client_concurrent_chat_and_stream(server: str, tenant_key: str) -> None:
    async def main() -> list[str]:
        client = openai.AsyncOpenAI(base_url=f"{server}/v1", api_key=tenant_key, max_retries=0)

        async def one_stream() -> str:
            stream = await client.chat.completions.create(
                model="fake-ko", messages=ASK, stream=True
            )
            return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

        async def one_whole() -> str:
            reply = await client.chat.completions.create(model="fake-ko", messages=ASK)
            return reply.choices[0].message.content or ""

        try:
            return await asyncio.gather(
                *[one_stream() for _ in range(4)], *[one_whole() for _ in range(4)]
            )
        finally:
            await client.close()

    assert asyncio.run(main()) == ["안녕하세요, 반갑습니다!"] * 8


def test_completions_stream_and_echo(server: str, tenant_key: str) -> None:
    client = sdk(server, tenant_key)
    whole = client.completions.create(
        model="fake-ko", prompt="옛날 옛적에", echo=True, max_tokens=5
    )
    assert whole.choices[0].text == "옛날 옛적에안녕하세요, 반갑습니다!"
    assert whole.object == "text_completion" and whole.usage.completion_tokens == 3
    pieces = [
        c.choices[0].text
        for c in client.completions.create(model="fake-ko", prompt="옛날", stream=True)
        if c.choices
    ]
    assert "".join(pieces) == "안녕하세요, 반갑습니다!"


def test_embeddings_float_and_sdk_default_base64(
    server: str, tenant_key: str, fake: FakeBackend
) -> None:
    client = sdk(server, tenant_key)
    floats = client.embeddings.create(
        model="fake-ko", input=["한지", "종이 한 장"], encoding_format="float"
    )
    assert [d.embedding for d in floats.data] == [[2.0, 0.5, -0.25, 1.0], [6.0, 0.5, -0.25, 1.0]]
    decoded = client.embeddings.create(model="fake-ko", input="한지")  # the SDK asks for base64
    assert decoded.data[0].embedding == [2.0, 0.5, -0.25, 1.0]
    assert floats.usage.prompt_tokens == 8


def test_korean_input_is_normalised_to_nfc(server: str, tenant_key: str, fake: FakeBackend) -> None:
    nfd = unicodedata.normalize("NFD", "한국어 문장")
    sdk(server, tenant_key).chat.completions.create(
        model="fake-ko", messages=[{"role": "user", "content": nfd}]
    )
    assert fake.requests[-1].messages[0].content == "한국어 문장"


def test_openai_shaped_errors_through_the_sdk(server: str, tenant_key: str) -> None:
    client = sdk(server, tenant_key)
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="fake-ko", messages=ASK, n=2)
    assert bad.value.body["param"] == "n" and bad.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="없는-모델", messages=ASK)
    with pytest.raises(openai.AuthenticationError):
        sdk(server, "hk-wrong").models.list()


def test_records_are_metadata_only_and_logs_carry_no_content(
    settings: Settings,
    store: Store,
    tenant_key: str,
    sink: ListSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(settings, backends=[FakeBackend()], store=store, sinks=[sink, LogSink()])
    with ServerThread(app) as running:
        sdk(running.url, tenant_key).chat.completions.create(
            model="fake-ko",
            messages=[{"role": "user", "content": CANARY}],
            extra_body={"vendor_field": CANARY, "another": {"deep": CANARY}, CANARY: 1},
        )
    record = next(r for r in sink.records if r.route == "/v1/chat/completions")
    assert record.status == 200 and record.model == "fake-ko" and record.backend == "fake"
    assert (
        record.tenant_id
        and record.key_id
        and (record.prompt_tokens, record.completion_tokens) == (7, 3)
    )
    # names that are not identifiers may be content put in the wrong place: not kept
    assert record.unknown_fields == ("another", "vendor_field", "<non-identifier>")
    dumped = json.dumps(record.to_dict(), ensure_ascii=False)
    assert CANARY not in dumped and tenant_key not in dumped
    logged = "\n".join(
        r.getMessage() + json.dumps(r.__dict__, default=str, ensure_ascii=False)
        for r in caplog.records
    )
    assert "vendor_field" in logged  # unknown fields are logged by name...
    assert CANARY not in logged and tenant_key not in logged  # ...never by value


HIDDEN = ("740221-1122331", "7402211122331", "010-7712-3380", "4111111111111111")
"""Identifiers a hostile client hides in names, headers, queries and model names."""


def test_identifiers_outside_the_content_never_reach_records_or_logs(
    settings: Settings,
    store: Store,
    tenant_key: str,
    sink: ListSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The zero-retention canary, beyond message content: unknown field names shaped like
    identifiers, header names and values, query strings and model names."""
    caplog.set_level(logging.DEBUG)
    app = create_app(settings, backends=[FakeBackend()], store=store, sinks=[sink, LogSink()])
    headers = {
        "Authorization": f"Bearer {tenant_key}",
        "X-Rrn-7402211122331": "740221-1122331",
        "X-Phone": "010-7712-3380",
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {
            "model": "fake-ko",
            "messages": ASK,
            "rrn-740221-1122331": 1,
            "x7402211122331": 2,
            "card_4111111111111111": 3,
            "vendor_field": 4,
        }
        url = "/v1/chat/completions?rrn=740221-1122331&card=4111111111111111"
        assert client.post(url, json=body, headers=headers).status_code == 200
        for model in ("740221-1122331", "phone-010-7712-3380"):
            answer = client.post(
                "/v1/chat/completions", json={"model": model, "messages": ASK}, headers=headers
            )
            assert answer.status_code == 404
        answer = client.get("/v1/models/7402211122331?q=010-7712-3380", headers=headers)
        assert answer.status_code == 404
    chat = [r for r in sink.records if r.route == "/v1/chat/completions"]
    assert chat[0].unknown_fields == ("<non-identifier>", "vendor_field")
    dumped = json.dumps([r.to_dict() for r in sink.records], ensure_ascii=False)
    logged = "\n".join(  # the server's logs (the test's own HTTP client logs its URLs)
        r.getMessage() + json.dumps(r.__dict__, default=str, ensure_ascii=False)
        for r in caplog.records
        if r.name.startswith(("hanji", "uvicorn", "starlette"))
    )
    for hidden in HIDDEN:
        assert hidden not in dumped, hidden
        assert hidden not in logged, hidden
    assert "vendor_field" in logged


class RewriteHook(Hook):
    """Stands in for the PII guard: hides a word before the backend, restores it after."""

    async def on_request(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> GenerateRequest:
        messages = tuple(
            Message(m.role, m.content.replace("홍길동", "<NAME_1>")) for m in request.messages or ()
        )
        ctx.decisions["pii"] = {"PERSON": 1}
        return GenerateRequest(request.model, request.params, messages=messages)

    async def on_result(
        self, ctx: RequestContext, request: GenerateRequest, result: GenerateResult
    ) -> GenerateResult:
        return GenerateResult(
            result.text.replace("<NAME_1>", "홍길동"), result.finish_reason, result.usage
        )

    def on_stream(
        self, ctx: RequestContext, request: GenerateRequest, stream: AsyncIterator[Chunk]
    ) -> AsyncIterator[Chunk]:
        async def restored() -> AsyncIterator[Chunk]:
            async for chunk in stream:
                yield Chunk(
                    chunk.text.replace("<NAME_1>", "홍길동"), chunk.finish_reason, chunk.usage
                )

        return restored()


def test_pipeline_hooks_transform_both_ways(
    settings: Settings, store: Store, tenant_key: str, sink: ListSink
) -> None:
    echo = FakeBackend(pieces=["<NAME_1>님, ", "안녕하세요"])
    app = create_app(settings, backends=[echo], store=store, hooks=[RewriteHook()], sinks=[sink])
    with ServerThread(app) as running:
        client = sdk(running.url, tenant_key)
        ask = [{"role": "user", "content": "홍길동에게 인사해 줘"}]
        whole = client.chat.completions.create(model="fake-ko", messages=ask)
        streamed = "".join(
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(model="fake-ko", messages=ask, stream=True)
            if c.choices
        )
    assert echo.requests[0].messages[0].content == "<NAME_1>에게 인사해 줘"
    assert whole.choices[0].message.content == streamed == "홍길동님, 안녕하세요"
    assert sink.records[-1].decisions == {"pii": {"PERSON": 1}}


def test_backend_errors_before_and_during_a_stream(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    early = FakeBackend("early", fail_before=BadGateway("the upstream for 'early' is unreachable"))
    late = FakeBackend("late", fail_at=1)
    refuse = FakeBackend(
        "refuse",
        fail_before=InvalidRequest(
            "context too long", param="messages", code="context_length_exceeded"
        ),
    )
    app = create_app(settings, backends=[early, late, refuse], store=store)
    with ServerThread(app) as running:
        client = sdk(running.url, tenant_key)
        with pytest.raises(openai.APIStatusError) as info:  # before the first chunk: a real status
            client.chat.completions.create(model="early", messages=ASK, stream=True)
        assert info.value.status_code == 502
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model="refuse", messages=ASK, stream=True)
        with pytest.raises(openai.APIError) as mid:  # after it: an error event the SDK raises
            for _ in client.chat.completions.create(model="late", messages=ASK, stream=True):
                pass
        assert "비밀" not in str(mid.value)
        with pytest.raises(openai.InternalServerError) as whole:
            client.chat.completions.create(model="late", messages=ASK)
        assert "비밀" not in whole.value.response.text


def test_request_timeout_is_504(settings: Settings, store: Store, tenant_key: str) -> None:
    slow = FakeBackend(delay_s=5.0)
    quick = settings.model_copy(update={"request_timeout_s": 0.3})
    with TestClient(create_app(quick, backends=[slow], store=store)) as client:
        response = client.post(
            "/v1/chat/completions",
            headers={"Authorization": f"Bearer {tenant_key}"},
            json={"model": "fake-ko", "messages": ASK},
        )
    assert response.status_code == 504 and response.json()["error"]["code"] == "timeout"


def test_metrics_count_requests_and_tokens(
    client: TestClient, tenant_key: str, settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {tenant_key}"}
    client.post("/v1/chat/completions", headers=headers, json={"model": "fake-ko", "messages": ASK})
    client.post(
        "/v1/chat/completions", headers=headers, json={"model": "fake-ko", "messages": ASK, "n": 3}
    )
    text = client.get(
        "/metrics", headers={"Authorization": f"Bearer {settings.admin_key_value()}"}
    ).text
    assert (
        'hanji_requests_total{route="/v1/chat/completions",model="fake-ko",status="200"} 1' in text
    )
    assert 'status="400"} 1' in text
    assert 'hanji_tokens_total{model="fake-ko",kind="completion"} 3' in text
    assert 'hanji_backend_ready{model="fake-ko",kind="fake"} 1' in text
    assert 'hanji_request_duration_seconds_count{route="/v1/chat/completions"} 2' in text


def test_base64_helper_is_little_endian_float32() -> None:
    from hanji.serve.handlers.embeddings import to_base64

    raw = base64.b64decode(to_base64([1.5, -2.0]))
    assert struct.unpack("<2f", raw) == (1.5, -2.0)


def test_client_disconnect_stops_the_backend_stream(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    import time

    import httpx

    slow = FakeBackend(pieces=["가"] * 200, delay_s=0.05)
    with ServerThread(create_app(settings, backends=[slow], store=store)) as running:
        body = {"model": "fake-ko", "messages": ASK, "stream": True}
        headers = {"Authorization": f"Bearer {tenant_key}"}
        with httpx.stream(
            "POST", f"{running.url}/v1/chat/completions", json=body, headers=headers
        ) as response:
            lines = response.iter_lines()
            assert next(lines).startswith("data: ")
        # the client is gone after about 1 of 200 pieces; the stream must be closed early
        deadline = time.monotonic() + 5
        while slow.closed_streams == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.closed_streams == 1  # checked while the server still runs


def test_timeout_mid_stream_ends_with_an_error_event(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    # "!" cannot start a name or a number, so the PII guard passes each piece on at once
    slow = FakeBackend(pieces=["!"] * 50, delay_s=0.1)
    quick = settings.model_copy(update={"request_timeout_s": 0.5})
    with TestClient(create_app(quick, backends=[slow], store=store)) as client:
        response = client.post(
            "/v1/chat/completions",
            headers={"Authorization": f"Bearer {tenant_key}"},
            json={"model": "fake-ko", "messages": ASK, "stream": True},
        )
    events = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert response.status_code == 200 and len(events) > 2  # it did start streaming
    assert json.loads(events[-1])["error"]["code"] == "timeout"
    assert "[DONE]" not in events
