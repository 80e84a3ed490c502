"""The PII guard in flight, through the real `openai` SDK: what backends see, what comes back."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import openai
import pytest
from serve_fakes import FakeBackend, ServerThread
from starlette.testclient import TestClient

from hanji.serve.app import create_app
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store
from pii_variants import variants

RRN = "900101-1234568"
PHONE = "010-2345-6789"


def sdk(client: TestClient | str, key: str) -> openai.OpenAI:
    if isinstance(client, str):
        return openai.OpenAI(base_url=f"{client}/v1", api_key=key, max_retries=0, timeout=30)
    return openai.OpenAI(
        base_url="http://testserver/v1", api_key=key, max_retries=0, http_client=client
    )


def tenant(store: Store, settings: Settings, name: str, profile: str, **policy: object) -> str:
    store.create_tenant(name, profile, allowed_hosts=policy.pop("hosts", ()))  # type: ignore[arg-type]
    if policy:
        store.set_policy(name, dict(policy))
    return issue_key(store, settings.pepper_bytes(), name)[1]


@pytest.fixture
def echo() -> FakeBackend:
    """Answers with the placeholder it was given, cut inside the placeholder."""
    return FakeBackend(pieces=["고객님의 번호는 <RR", "N_", "1>이고, 처리했습니다."])


@pytest.fixture
def app_client(settings: Settings, store: Store, echo: FakeBackend) -> Iterator[TestClient]:
    with TestClient(create_app(settings, backends=[echo], store=store)) as client:
        yield client


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_pseudonymised_rrn_split_over_chunks_comes_back_exact(
    settings: Settings, store: Store, echo: FakeBackend
) -> None:
    key = tenant(store, settings, "한빛은행", "finance")
    expected = f"고객님의 번호는 {RRN}이고, 처리했습니다."
    with ServerThread(create_app(settings, backends=[echo], store=store)) as running:
        client = sdk(running.url, key)
        message = ask(f"제 주민등록번호는 {RRN}입니다. 조회해 주세요.")
        pieces = [
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(model="fake-ko", messages=message, stream=True)
            if c.choices
        ]
        whole = client.chat.completions.create(model="fake-ko", messages=message)
    assert "".join(pieces) == expected == whole.choices[0].message.content
    assert all("<" not in p and ">" not in p for p in pieces)  # no half placeholder leaked
    for request in echo.requests:  # the backend never saw the number
        seen = request.messages[0].content  # type: ignore[index]
        assert RRN not in seen and "9001011234568" not in seen and "<RRN_1>" in seen


def test_block_names_the_type_never_the_value(
    settings: Settings, store: Store, app_client: TestClient, echo: FakeBackend
) -> None:
    key = tenant(store, settings, "공공기관", "public", pii={"PHONE": "block"})
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(app_client, key).chat.completions.create(
            model="fake-ko", messages=ask(f"제 번호는 {PHONE}이에요")
        )
    error = caught.value.body
    assert caught.value.status_code == 400 and error["code"] == "pii_blocked"  # type: ignore[index]
    assert "전화번호 (PHONE)" in error["message"] and PHONE not in str(error)  # type: ignore[index]
    assert echo.requests == []  # refused before any backend call


def test_mask_and_allow(settings: Settings, store: Store, app_client: TestClient, echo) -> None:
    key = tenant(store, settings, "일반회사", "general", pii={"PHONE": "mask"})
    sdk(app_client, key).chat.completions.create(
        model="fake-ko", messages=ask(f"김철수 고객, 연락처 {PHONE}, 메일 kim@example.com")
    )
    seen = echo.requests[0].messages[0].content  # type: ignore[index]
    assert "010-****-6789" in seen and PHONE not in seen
    assert "김철수" in seen and "kim@example.com" in seen  # allowed types pass unchanged


def test_new_pii_from_the_model_is_masked_but_echoes_are_not(
    settings: Settings, store: Store
) -> None:
    talker = FakeBackend(pieces=["김철수 고객님, 담당자 번호는 ", "010-9876-", "5432입니다."])
    key = tenant(store, settings, "한빛은행", "finance")
    with TestClient(create_app(settings, backends=[talker], store=store)) as client:
        messages = ask("김철수입니다. 담당자 연락처 알려주세요")
        whole = sdk(client, key).chat.completions.create(model="fake-ko", messages=messages)
        streamed = "".join(
            c.choices[0].delta.content or ""
            for c in sdk(client, key).chat.completions.create(
                model="fake-ko", messages=messages, stream=True
            )
            if c.choices
        )
    assert whole.choices[0].message.content == streamed
    assert streamed == "김철수 고객님, 담당자 번호는 010-****-5432입니다."


def test_perimeter_refuses_external_upstreams_unless_pseudonymised(
    settings: Settings, store: Store
) -> None:
    outside = FakeBackend("gpt-external", host="api.example.com")
    listed = FakeBackend("vllm-bank", host="vllm.bank.internal")
    strict = tenant(store, settings, "한빛은행", "finance", hosts=["vllm.bank.internal"])
    sandbox = tenant(store, settings, "샌드박스은행", "finance", external="pseudonymize")
    with TestClient(create_app(settings, backends=[outside, listed], store=store)) as client:
        with pytest.raises(openai.PermissionDeniedError) as caught:
            sdk(client, strict).chat.completions.create(model="gpt-external", messages=ask("안녕"))
        assert caught.value.body["code"] == "outside_perimeter"  # type: ignore[index]
        assert outside.requests == []
        sdk(client, strict).chat.completions.create(
            model="vllm-bank", messages=ask(f"김철수, {RRN}")
        )
        reply = sdk(client, sandbox).chat.completions.create(
            model="gpt-external", messages=ask(f"김철수 고객 {RRN}, 메일 kim@example.com")
        )
    assert reply.choices[0].message.content
    inside_seen = listed.requests[0].messages[0].content  # type: ignore[index]
    assert "김철수" in inside_seen and "<RRN_1>" in inside_seen  # allow-listed: only IDs hidden
    outside_seen = outside.requests[0].messages[0].content  # type: ignore[index]
    assert outside_seen == "<PERSON_1> 고객 <RRN_1>, 메일 <EMAIL_1>"  # everything hidden


def test_max_tokens_cap_and_embeddings(settings: Settings, store: Store, echo) -> None:
    key = tenant(store, settings, "한빛은행", "finance", max_tokens=64)
    with TestClient(create_app(settings, backends=[echo], store=store)) as client:
        sdk(client, key).chat.completions.create(
            model="fake-ko", messages=ask("안녕"), max_tokens=4000
        )
        sdk(client, key).embeddings.create(model="fake-ko", input=[f"번호 {RRN}", "그냥 문장"])
        with pytest.raises(openai.BadRequestError, match="Token-id inputs"):
            sdk(client, key).embeddings.create(model="fake-ko", input=[[1, 2, 3]])
    assert echo.requests[0].params.max_tokens == 64
    assert echo.embeds[0].inputs == ("번호 <RRN_1>", "그냥 문장")


def test_decisions_reach_the_record_as_counts_only(settings: Settings, store: Store, echo) -> None:
    records = []

    class Sink:
        def emit(self, record: object) -> None:
            records.append(record)

    key = tenant(store, settings, "한빛은행", "finance")
    canary = "카나리아" + secrets.token_hex(4)
    app = create_app(settings, backends=[echo], store=store, sinks=[Sink()])
    with TestClient(app) as client:
        sdk(client, key).chat.completions.create(
            model="fake-ko", messages=ask(f"{canary} {RRN} {RRN} 010-1111-2222")
        )
    decisions = next(r for r in records if r.route == "/v1/chat/completions").decisions
    assert decisions["pii_in"] == {"PHONE": 1, "RRN": 2}
    assert decisions["actions"] == {"PHONE": "allow", "RRN": "pseudonymize"}
    assert decisions["policy"] == "finance" and decisions["perimeter"] == "inside"
    assert canary not in str(decisions) and RRN not in str(decisions)


def test_message_names_and_stop_sequences_are_scanned_too(
    settings: Settings, store: Store, app_client: TestClient, echo: FakeBackend
) -> None:
    """Every string that is forwarded upstream goes through the guard, not only contents."""
    key = tenant(store, settings, "한빛은행", "finance")
    sdk(app_client, key).chat.completions.create(
        model="fake-ko",
        messages=[{"role": "user", "content": "안녕하세요", "name": RRN}],
        stop=[f"번호 {RRN}", "끝"],
    )
    sent = echo.requests[0]
    assert sent.messages[0].name == "<RRN_1>"  # type: ignore[index]
    assert sent.params.stop == ("번호 <RRN_1>", "끝")
    assert RRN not in repr(sent)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "sse"])
def test_no_rrn_variant_reaches_the_upstream_readable(
    settings: Settings, store: Store, app_client: TestClient, echo: FakeBackend, stream: bool
) -> None:
    """The attack matrix through the gateway (finance): full-width, other digits, invisible
    characters, other dashes and separators, in the content and the message name."""
    from hanji.privacy.view import normalized_view

    key = tenant(store, settings, "한빛은행", "finance")
    client = sdk(app_client, key)
    for variant in variants(RRN):
        message = {"role": "user", "content": f"주민번호 {variant} 조회", "name": variant}
        reply = client.chat.completions.create(model="fake-ko", messages=[message], stream=stream)
        text = (
            "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
            if stream
            else reply.choices[0].message.content
        )
        assert text == f"고객님의 번호는 {variant}이고, 처리했습니다."  # restored as written
        sent = echo.requests[-1].messages[0]  # type: ignore[index]
        for field in (sent.content, sent.name):
            assert "1234568" not in normalized_view(field)[0], (variant, field)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "sse"])
def test_a_disguised_number_the_model_emits_is_masked_in_plain_and_sse(
    settings: Settings, store: Store, stream: bool
) -> None:
    """The outbound guard reads the normalised view too: a full-width or invisible-split
    resident number the request did not carry is masked, also when cut over SSE chunks."""
    from hanji.privacy.view import normalized_view

    key = tenant(store, settings, "한빛은행", "finance")
    for variant in variants(RRN):
        cut = len(variant) // 2
        talker = FakeBackend(pieces=["확인된 번호는 ", variant[:cut], variant[cut:], " 입니다."])
        with TestClient(create_app(settings, backends=[talker], store=store)) as client:
            reply = sdk(client, key).chat.completions.create(
                model="fake-ko", messages=ask("제 정보 알려주세요"), stream=stream
            )
            text = (
                "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
                if stream
                else reply.choices[0].message.content
            )
        assert text.startswith("확인된 번호는 ") and text.endswith(" 입니다."), ascii(text)
        assert "1234568" not in normalized_view(text)[0], ascii(variant)


def test_finance_pseudonymises_cueless_names_only_where_the_tenant_policy_says_so(
    settings: Settings, store: Store, echo
) -> None:
    default = tenant(store, settings, "한빛은행", "finance")
    names = tenant(store, settings, "새봄은행", "finance", pii={"PERSON": "pseudonymize"})
    signed = "감사합니다.\n이수진 드림"
    with TestClient(create_app(settings, backends=[echo], store=store)) as client:
        for key in (default, names):
            sdk(client, key).chat.completions.create(model="fake-ko", messages=ask(signed))
    assert echo.requests[0].messages[0].content == signed  # the profile allows names
    assert echo.requests[1].messages[0].content == "감사합니다.\n<PERSON_1> 드림"
