"""Every route but /healthz needs a key; revocation, limits and allow-lists act at once."""

from __future__ import annotations

import sqlite3

import pytest
from serve_fakes import FakeBackend
from starlette.testclient import TestClient

from hanji.serve.app import create_app
from hanji.serve.auth import Authenticator, KeyCache, Principal
from hanji.serve.errors import Unauthorized
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

CHAT = {"model": "fake-ko", "messages": [{"role": "user", "content": "잔액 조회 부탁해요"}]}


def _routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app answers: the rows of its route table."""
    out = [(route.method, route.path.replace("{model:path}", "fake-ko")) for route in app.routes]
    assert out, "no routes found: the enumeration itself is broken"
    return out


def test_every_route_is_enumerated_and_needs_a_key(client: TestClient) -> None:
    routes = _routes(client.app)
    # a new route must be added here knowingly; the loop below then checks it
    assert {p for _, p in routes} == {
        "/healthz",
        "/metrics",
        "/v1/models",
        "/v1/models/fake-ko",
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/responses",
        "/v1/files",
        "/v1/files/{file_id}",
        "/v1/vector_stores",
        "/v1/vector_stores/{vector_store_id}",
        "/v1/vector_stores/{vector_store_id}/files",
        "/v1/vector_stores/{vector_store_id}/files/{file_id}",
        "/v1/vector_stores/{vector_store_id}/search",
    }
    for method, path in routes:
        for headers in (
            {},
            {"Authorization": "Bearer hk-not-a-real-key"},
            {"Authorization": "Basic x"},
        ):
            response = client.request(method, path, headers=headers, content=b"{not json")
            if path == "/healthz":
                assert response.status_code == 200 and response.json() == {"status": "ok"}
            else:
                assert response.status_code == 401, (method, path, headers)
                assert set(response.json()["error"]) == {"message", "type", "param", "code"}


def test_no_docs_or_openapi_are_exposed_and_unknown_paths_hide_behind_401(
    client: TestClient, tenant_key: str
) -> None:
    for path in ("/docs", "/openapi.json", "/redoc", "/v1/nothing", "/admin"):
        assert client.get(path).status_code == 401
        with_key = client.get(path, headers={"Authorization": f"Bearer {tenant_key}"})
        assert with_key.status_code == 404 and with_key.json()["error"]["type"] == "not_found_error"
    wrong_method = client.get(
        "/v1/chat/completions", headers={"Authorization": f"Bearer {tenant_key}"}
    )
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_admin_key_only_for_metrics_tenant_key_only_for_models(
    client: TestClient, tenant_key: str, settings: Settings
) -> None:
    admin = {"Authorization": f"Bearer {settings.admin_key_value()}"}
    tenant = {"Authorization": f"Bearer {tenant_key}"}
    assert client.get("/metrics", headers=tenant).status_code == 403
    metrics = client.get("/metrics", headers=admin)
    assert metrics.status_code == 200 and "hanji_requests_total" in metrics.text
    assert client.post("/v1/chat/completions", headers=admin, json=CHAT).status_code == 403
    assert client.post("/v1/chat/completions", headers=tenant, json=CHAT).status_code == 200


def test_revocation_takes_effect_on_the_next_request(
    client: TestClient, settings: Settings, store: Store
) -> None:
    store.create_tenant("세종시청", "public")
    record, key = issue_key(store, settings.pepper_bytes(), "세종시청")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/models", headers=headers).status_code == 200
    # a second connection, as `hanji tenant key revoke` in another process would use
    other = Store(settings.db_url)
    other.revoke_key(record.id)
    other.close()
    response = client.get("/v1/models", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


def test_requests_per_minute_limit_answers_429_with_retry_after(
    client: TestClient, settings: Settings, store: Store
) -> None:
    store.create_tenant("작은가게", "general")
    _, key = issue_key(store, settings.pepper_bytes(), "작은가게", rpm=2)
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [client.post("/v1/chat/completions", headers=headers, json=CHAT) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1
    assert statuses[2].json()["error"]["code"] == "rate_limit_exceeded"


def test_tokens_per_minute_limit(client: TestClient, settings: Settings, store: Store) -> None:
    store.create_tenant("토큰제한", "general")
    _, key = issue_key(store, settings.pepper_bytes(), "토큰제한", tpm=5)
    headers = {"Authorization": f"Bearer {key}"}
    first = client.post("/v1/chat/completions", headers=headers, json=CHAT)
    assert first.status_code == 200 and first.json()["usage"]["total_tokens"] == 10
    second = client.post("/v1/chat/completions", headers=headers, json=CHAT)
    assert (
        second.status_code == 429 and second.json()["error"]["code"] == "tokens_rate_limit_exceeded"
    )


def test_model_allow_list_hides_other_models(settings: Settings, store: Store) -> None:
    app = create_app(
        settings, backends=[FakeBackend("hanji-ko"), FakeBackend("other")], store=store
    )
    store.create_tenant("제한회사", "general", allowed_models=["hanji-ko"])
    _, key = issue_key(store, settings.pepper_bytes(), "제한회사")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        listed = client.get("/v1/models", headers=headers).json()["data"]
        assert [m["id"] for m in listed] == ["hanji-ko"]
        for path in ("/v1/models/other", "/v1/models/nope"):
            assert client.get(path, headers=headers).status_code == 404
        denied = client.post(
            "/v1/chat/completions", headers=headers, json={**CHAT, "model": "other"}
        )
        missing = client.post(
            "/v1/chat/completions", headers=headers, json={**CHAT, "model": "nope"}
        )
        # same answer whether the model exists or not: no probing of other tenants' models
        assert denied.status_code == missing.status_code == 404
        assert denied.json()["error"]["code"] == "model_not_found"
        assert (
            denied.json()["error"]["message"].replace("other", "nope")
            == missing.json()["error"]["message"]
        )


@pytest.mark.parametrize("chunked", [False, True])
def test_body_size_limit_is_413(
    settings: Settings, store: Store, tenant_key: str, chunked: bool
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    app = create_app(small, backends=[FakeBackend()], store=store)
    body = (
        '{"model": "fake-ko", "messages": [{"role": "user", "content": "' + "가" * 2000 + '"}]}'
    ).encode()
    headers = {"Authorization": f"Bearer {tenant_key}", "Content-Type": "application/json"}
    with TestClient(app) as client:
        content = iter([body[:1000], body[1000:]]) if chunked else body
        response = client.post("/v1/chat/completions", headers=headers, content=content)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_cached_keys_follow_every_change_made_by_another_process(
    settings: Settings, store: Store
) -> None:
    """Keys are cached under the store's change count; any write elsewhere empties the cache."""
    store.create_tenant("부산상회", "general")
    record, key = issue_key(store, settings.pepper_bytes(), "부산상회", rpm=10)
    auth = Authenticator(store, settings.pepper_bytes())
    header = f"Bearer {key}"
    first = auth.authenticate(header)
    assert auth.authenticate(header) is first  # the second request is served from the cache
    assert first.tenant is not None and first.tenant.policy == {}

    other = Store(settings.db_url)  # as the CLI in another process would
    other.set_policy("부산상회", {"max_tokens": 64})
    assert auth.authenticate(header).tenant.policy == {"max_tokens": 64}  # type: ignore[union-attr]
    other.close()

    # a write through no store method at all (plain SQL) still counts
    with sqlite3.connect(settings.home / "hanji.db") as raw:
        raw.execute("UPDATE api_keys SET rpm = 3 WHERE id = ?", (record.id,))
    assert auth.authenticate(header).key.rpm == 3  # type: ignore[union-attr]

    other = Store(settings.db_url)
    other.revoke_tenant_keys(record.tenant_id)
    other.close()
    with pytest.raises(Unauthorized):
        auth.authenticate(header)


def test_change_count_is_kept_for_sqlite_files_only(settings: Settings, store: Store) -> None:
    before = store.auth_changes()
    assert before is not None
    store.create_tenant("대구약국", "general")
    assert store.auth_changes() == before + 1
    memory = Store("sqlite://")
    assert memory.auth_changes() is None  # nothing to share with another process: no cache
    memory.close()


def test_key_cache_keeps_nothing_looked_up_under_an_older_count() -> None:
    cache = KeyCache(max_entries=2)
    principal = Principal(admin=True)
    assert cache.get(1, "a") is None
    cache.put(1, "a", principal)
    assert cache.get(1, "a") is principal
    assert cache.get(2, "a") is None  # the count moved: emptied
    cache.put(1, "a", principal)  # looked up before the move: not kept
    assert cache.get(2, "a") is None
    for digest in "bcd":
        cache.put(2, digest, principal)
    assert cache.get(2, "d") is principal and cache.get(2, "b") is None  # bounded
