"""The audit log survives the client leaving mid-stream and the gateway being killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from serve_fakes import FakeBackend, ServerThread
from starlette.testclient import TestClient

from hanji.audit.log import AuditLog
from hanji.audit.verify import verify_log
from hanji.serve.app import create_app
from hanji.settings import Settings
from hanji.tenants.home import audit_signer
from hanji.tenants.store import Store

CHAT = "/v1/chat/completions"


def records(store: Store) -> list[dict[str, object]]:
    return [json.loads(r.data) for r in AuditLog(store.engine).records()]


def test_a_stream_the_client_leaves_is_recorded_as_interrupted(
    settings: Settings, store: Store, tenant_key: str
) -> None:
    slow = FakeBackend(pieces=[f"조각{i} " for i in range(40)], delay_s=0.05)
    app = create_app(settings, backends=[slow], store=store)
    body = {"model": "fake-ko", "stream": True, "messages": [{"role": "user", "content": "안녕"}]}
    headers = {"Authorization": f"Bearer {tenant_key}"}
    with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=10) as client:
        with client.stream("POST", CHAT, json=body, headers=headers) as reply:
            lines = reply.iter_lines()
            assert next(line for line in lines if line.startswith("data:"))  # one event, then gone
        full = client.post(CHAT, json={**body, "stream": False}, headers=headers)
        assert full.status_code == 200
        deadline = time.monotonic() + 10
        while slow.closed_streams < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    got = {(r["stream"], r["outcome"]) for r in records(store) if r["route"] == CHAT}
    assert got == {(True, "interrupted"), (False, "completed")}
    cut = next(r for r in records(store) if r["outcome"] == "interrupted")
    assert 0 < int(cut["sent_bytes"]) < 40 * 60  # what had gone out before the client left


SERVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {fakes!r})
    import uvicorn
    from serve_fakes import FakeBackend
    from hanji.serve.app import create_app
    from hanji.settings import Settings

    fast = FakeBackend("fast", pieces=["안녕", "하세요"])
    slow = FakeBackend("slow", pieces=["안녕", "하세요"] + ["."] * 200, delay_s=0.05)
    app = create_app(Settings(), backends=[fast, slow])
    uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", lifespan="on")
    """
)


@pytest.mark.slow
def test_kill_9_loses_no_record_of_an_answered_or_started_request(
    tmp_path: Path, settings: Settings, store: Store, tenant_key: str
) -> None:
    """50 requests answered, one stream half-sent, then SIGKILL while the audit thread
    lingers (30 s, so most records are not committed yet): after the restart every request
    is in the chain, the stream interrupted."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "HANJI_HOME": str(settings.home),
        "HANJI_PEPPER": settings.pepper.get_secret_value(),  # type: ignore[union-attr]
        "HANJI_AUDIT_LINGER_S": "30",
    }
    script = SERVER.format(fakes=str(Path(__file__).parent), port=port)
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {tenant_key}"}
    body = {"model": "fast", "messages": [{"role": "user", "content": "안녕"}]}
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)

            def one(_: int) -> str:
                answer = client.post(CHAT, json=body, headers=headers)
                assert answer.status_code == 200
                return answer.headers["x-request-id"]

            with ThreadPoolExecutor(10) as pool:
                answered = set(pool.map(one, range(50)))
            with client.stream(
                "POST", CHAT, json={**body, "model": "slow", "stream": True}, headers=headers
            ) as streaming:
                first = next(line for line in streaming.iter_lines() if line.startswith("data:"))
                assert first
                cut_id = streaming.headers["x-request-id"]
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    before = {str(r["request_id"]) for r in records(store)}
    assert cut_id not in before  # the stream's record can only come from the journal
    with TestClient(create_app(settings, backends=[FakeBackend()], store=store)):
        pass  # a new gateway starts: it recovers the dead one's journal
    found = {str(r["request_id"]): r for r in records(store)}
    assert answered <= set(found) and cut_id in found
    assert all(found[i]["outcome"] == "completed" for i in answered)
    assert found[cut_id]["outcome"] == "interrupted"
    log = AuditLog(store.engine, audit_signer(settings))
    log.checkpoint()
    assert verify_log(log, [log.signer.public]).ok  # type: ignore[union-attr]
