"""One tenant cannot stall the others: big texts are scanned off the event loop, and the
text the guard scans per request is capped by configuration (over it: an OpenAI error)."""

from __future__ import annotations

import json
import random
import secrets
import statistics
import threading
import time

import httpx
from serve_fakes import FakeBackend, ServerThread
from starlette.testclient import TestClient

from hanji.serve.app import create_app
from hanji.serve.guard import SCAN_LIMIT_CODE, PolicyGuard
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서준지현우영수하은도윤예진성호태희"


def names(size_bytes: int) -> str:
    """`김민서 씨, 이준호 씨, …`: a name every few characters, the detector's worst case."""
    rng = random.Random(0)
    parts, size = [], 0
    while size < size_bytes:
        part = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)} 씨, "
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


def key_for(store: Store, settings: Settings, name: str, profile: str) -> str:
    store.create_tenant(name, profile)
    return issue_key(store, settings.pepper_bytes(), name)[1]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def body(text: str, **extra: object) -> bytes:
    payload = {"model": "fake-ko", "messages": [{"role": "user", "content": text}], **extra}
    return json.dumps(payload, ensure_ascii=False).encode()


def test_small_requests_of_another_tenant_complete_while_a_huge_one_is_scanned(
    settings: Settings, store: Store
) -> None:
    big_key = key_for(store, settings, "큰은행", "finance")
    small_key = key_for(store, settings, "작은은행", "finance")
    text = names(3_500_000)  # ~3.5 MB of names: seconds of detection
    app = create_app(
        settings,
        backends=[FakeBackend()],
        store=store,
        hooks=[PolicyGuard(max_scan_chars=len(text) + 1000)],
    )
    big_status: list[int] = []
    with ServerThread(app) as running:
        url = f"{running.url}/v1/chat/completions"

        def send_big() -> None:
            with httpx.Client(timeout=600) as client:
                headers = auth(big_key)
                big_status.append(client.post(url, content=body(text), headers=headers).status_code)

        big = threading.Thread(target=send_big)
        latencies: list[float] = []
        during = 0
        with httpx.Client(timeout=60) as client:
            headers = auth(small_key)
            small = body("홍길동 고객의 잔액을 알려 주세요.")
            client.post(url, content=small, headers=headers)  # warm the connection
            big.start()
            time.sleep(0.2)  # let the big body arrive and its scan start
            while big.is_alive() or len(latencies) < 20:
                t0 = time.perf_counter()
                answer = client.post(url, content=small, headers=headers)
                latencies.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text
                during += big.is_alive()
                if len(latencies) >= 2000:
                    break
        big.join(timeout=600)
    assert big_status == [200]
    assert len(latencies) >= 20
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"\nsmall requests while a {len(text.encode()) / 1e6:.1f} MB request of names was "
        f"scanned: {during} of {len(latencies)} during it; p50 {cuts[49] * 1000:.1f} ms, "
        f"p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )


def test_a_request_over_the_scan_limit_is_refused_and_never_forwarded(
    settings: Settings, store: Store
) -> None:
    key = key_for(store, settings, "한빛은행", "finance")
    fake = FakeBackend()
    app = create_app(
        settings, backends=[fake], store=store, hooks=[PolicyGuard(max_scan_chars=1000)]
    )
    headers = auth(key)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/v1/chat/completions", content=body("가" * 600 + "나" * 600), headers=headers
        )
        assert answer.status_code == 413
        error = answer.json()["error"]
        assert error["code"] == SCAN_LIMIT_CODE
        assert "1000" in error["message"]
        assert "guard_max_scan_chars" in error["message"]
        assert fake.requests == []
        # the limit counts every message of the request together
        two = {
            "model": "fake-ko",
            "messages": [{"role": "user", "content": "가" * 600}] * 2,
        }
        assert client.post("/v1/chat/completions", json=two, headers=headers).status_code == 413
        embed = {"model": "fake-ko", "input": ["가" * 600, "나" * 600]}
        answer = client.post("/v1/embeddings", json=embed, headers=headers)
        assert answer.status_code == 413
        assert fake.embeds == []
        # under the limit, all is as before
        ok = client.post("/v1/chat/completions", content=body("가" * 900), headers=headers)
        assert ok.status_code == 200


def test_a_reply_over_the_scan_limit_is_not_passed_on(settings: Settings, store: Store) -> None:
    key = key_for(store, settings, "한빛은행", "finance")
    secret = "홍길동 고객 010-2345-6789 " * 100
    fake = FakeBackend(pieces=[secret[:1000], secret[1000:]])
    app = create_app(
        settings, backends=[fake], store=store, hooks=[PolicyGuard(max_scan_chars=1500)]
    )
    headers = auth(key)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/v1/chat/completions", content=body("안녕"), headers=headers)
        assert answer.status_code == 502
        assert answer.json()["error"]["code"] == SCAN_LIMIT_CODE
        assert "010-2345-6789" not in answer.text
        streamed = client.post(
            "/v1/chat/completions", content=body("안녕", stream=True), headers=headers
        )
        assert "010-2345-6789" not in streamed.text
        assert secret[1000:1100] not in streamed.text


def test_large_texts_are_scanned_in_a_worker_process(settings: Settings, store: Store) -> None:
    """Detection of a long text runs in another process (the event loop's interpreter lock
    stays free); the actions are applied off the loop's thread; the result is exact."""
    from hanji.serve import guard, scan

    key = key_for(store, settings, "한빛은행", "finance")
    threads: list[str] = []
    workers: list[int] = []
    original = guard.GuardScope.inbound

    def spy(self: guard.GuardScope, text: str, param: str, entities: object = None) -> str:
        threads.append(threading.current_thread().name)
        return original(self, text, param, entities)  # type: ignore[arg-type]

    async def detect_spy(self: scan.Scanner, text: str, threshold: float) -> list:
        found = await real_detect(self, text, threshold)
        workers.append(len(text) >= scan.OFFLOAD_CHARS and self._pool is not None)
        return found

    real_detect = scan.Scanner.detect
    guard.GuardScope.inbound = spy  # type: ignore[method-assign]
    scan.Scanner.detect = detect_spy  # type: ignore[method-assign]
    fake = FakeBackend()
    try:
        app = create_app(settings, backends=[fake], store=store)
        headers = auth(key)
        with TestClient(app, raise_server_exceptions=False) as client:
            client.post("/v1/chat/completions", content=body("짧은 글"), headers=headers)
            long = "고객 주민번호 900101-1234568 확인 " + names(guard.OFFLOAD_CHARS * 4)
            client.post("/v1/chat/completions", content=body(long), headers=headers)
            loop_thread = threads[0]
    finally:
        guard.GuardScope.inbound = original  # type: ignore[method-assign]
        scan.Scanner.detect = real_detect  # type: ignore[method-assign]
    assert len(threads) == 2 and threads[1] != loop_thread  # actions off the loop's thread
    assert workers == [True]  # the long one was detected by the process pool
    sent = fake.requests[-1].messages[0].content  # type: ignore[index]
    assert "900101-1234568" not in sent and sent.startswith("고객 주민번호 <RRN_1> 확인 ")


def test_the_scanner_packs_entities_exactly() -> None:
    from hanji.privacy import detect
    from hanji.serve.scan import detect_packed, unpack

    text = "김민준 씨 010-1234-5678, 주민번호 900101-1234568\n부산 해운대구 우동 1408"
    assert unpack(text, detect_packed(text, 0.5)) == detect(text, threshold=0.5)


def test_the_setting_exists_with_its_default() -> None:
    settings = Settings(home="/tmp/x", pepper=secrets.token_hex(16))
    assert settings.guard_max_scan_chars == PolicyGuard().max_scan_chars


def test_the_setting_reaches_the_default_guard(settings: Settings, store: Store) -> None:
    """`guard_max_scan_chars` in serve.toml / HANJI_* is the limit `create_app` applies."""
    key = key_for(store, settings, "한빛은행", "finance")
    fake = FakeBackend()
    app = create_app(
        settings.model_copy(update={"guard_max_scan_chars": 500}), backends=[fake], store=store
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/v1/chat/completions", content=body("가" * 800), headers=auth(key))
    assert answer.status_code == 413 and answer.json()["error"]["code"] == SCAN_LIMIT_CODE
    assert fake.requests == []
