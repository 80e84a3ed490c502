"""`hanji serve --workers 2` on one port and one SQLite file behaves as one gateway: the
requests/min of a key hold across the processes, a revocation reaches both, and the audit
chain holds every answered request exactly once."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_fakes import ServerThread

from hanji.audit.log import AuditLog
from hanji.serve.app import WorkerApp
from hanji.serve.deadline import HeaderDeadline
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

CHAT = "/v1/chat/completions"
BODY = {"model": "upstream-ko", "messages": [{"role": "user", "content": "결제일이 언제예요?"}]}
N = 300  # audited requests through the two processes
REPLY = json.dumps(
    {
        "id": "chatcmpl-up",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "upstream-ko",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "매월 25일입니다."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14},
    }
).encode()


async def upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An OpenAI look-alike that answers every chat completion with REPLY."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": REPLY})


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    """The live worker processes of the supervisor (Linux /proc; resource trackers too)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(p) for p in text)
    return found


def _journalled(directory: Path, ids: set[str]) -> dict[str, int]:
    """How many of ``ids`` each process's journal holds a complete record of."""
    counts: dict[str, int] = {}
    for path in directory.glob("*"):
        for line in path.read_bytes().rstrip(b"\0").splitlines():
            entry = json.loads(line)
            if entry["kind"] == "entry" and entry.get("request_id") in ids:
                pid = path.name.split("-")[0]
                counts[pid] = counts.get(pid, 0) + 1
    return counts


def _post(url: str, key: str) -> int:
    """One request on a connection of its own: the kernel picks the accepting process."""
    with httpx.Client(base_url=url, timeout=30) as client:
        reply = client.post(CHAT, json=BODY, headers={"Authorization": f"Bearer {key}"})
        return reply.status_code


def test_worker_app_carries_settings_by_pickle_and_sets_its_header_deadline(
    tmp_path: Path,
) -> None:
    """What the supervisor hands each process (over the spawn pipe, not the environment)."""
    import pickle

    settings = Settings(
        home=tmp_path,
        pepper=secrets.token_hex(16),
        upstreams=[{"url": "http://127.0.0.1:9/v1", "model": "upstream-ko"}],
        workers=2,
        header_read_timeout_s=3.5,
    )
    factory = pickle.loads(pickle.dumps(WorkerApp(settings)))
    before = HeaderDeadline.timeout_s
    try:
        app = factory()
        assert HeaderDeadline.timeout_s == 3.5
        assert type(app.gateway.limiter).__name__ == "SharedRateLimiter"  # SQLite, 2 workers
        assert factory.settings.pepper_bytes() == settings.pepper_bytes()
    finally:
        HeaderDeadline.timeout_s = before


@pytest.mark.slow
def test_two_worker_processes_on_one_port_act_as_one_gateway(tmp_path: Path) -> None:
    pepper = secrets.token_hex(16)
    settings = Settings(home=tmp_path / "home", pepper=pepper)
    store = Store(settings.db_url)
    store.create_tenant("한빛은행", "finance")
    store.create_tenant("누리청", "public")
    _, busy = issue_key(store, settings.pepper_bytes(), "한빛은행")
    limited_key, limited = issue_key(store, settings.pepper_bytes(), "누리청", rpm=20)
    env = {**os.environ, "HANJI_HOME": str(settings.home), "HANJI_PEPPER": pepper}
    port = _port()
    url = f"http://127.0.0.1:{port}"
    with ServerThread(upstream) as up:
        cmd = [
            sys.executable,
            "-m",
            "hanji.cli",
            "serve",
            "--upstream",
            f"{up.url}/v1",
            "--upstream-model",
            "upstream-ko",
            "--workers",
            "2",
            "--port",
            str(port),
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:  # both processes up: each answers its own health check
                try:
                    httpx.get(url + "/healthz", timeout=2)
                    journals = list((settings.home / "audit" / "journal").glob("*"))
                    if len({p.name.split("-")[0] for p in journals}) >= 2:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.2)
            workers = _children(proc.pid)
            assert len(workers) >= 2

            # 1. one minute of 20 requests for the key across both processes, not 20 each
            started = time.monotonic()
            codes = [_post(url, limited) for _ in range(60)]
            refill = (time.monotonic() - started) * 20 / 60
            assert set(codes) <= {200, 429}
            assert 20 <= codes.count(200) <= 20 + int(refill) + 1, codes

            # 2. N requests at concurrency 10, each answered and audited once
            def one(_: int) -> str:
                with httpx.Client(base_url=url, timeout=30) as client:
                    reply = client.post(
                        CHAT, json=BODY, headers={"Authorization": f"Bearer {busy}"}
                    )
                assert reply.status_code == 200, reply.text
                return reply.headers["x-request-id"]

            with ThreadPoolExecutor(10) as pool:
                answered = list(pool.map(one, range(N)))
            assert len(set(answered)) == N
            # both processes answered: each journals its records into segments named by its pid
            by_process = _journalled(settings.audit_journal_dir(), set(answered))
            assert len(by_process) == 2 and sum(by_process.values()) == N, by_process

            # 3. a revocation (as `hanji tenant key revoke` does) reaches every process
            store.revoke_key(limited_key.id)
            busy_id = next(k.id for k in store.list_keys("한빛은행"))
            store.revoke_key(busy_id)
            assert {_post(url, busy) for _ in range(12)} == {401}
        finally:
            proc.send_signal(signal.SIGTERM)  # the supervisor stops its workers gracefully
            try:
                output = proc.communicate(timeout=60)[0].decode()
            except subprocess.TimeoutExpired:
                proc.kill()
                output = proc.communicate(timeout=10)[0].decode()
    assert busy not in output and "결제일" not in output

    records = [json.loads(r.data) for r in AuditLog(store.engine).records()]
    by_id = [str(r["request_id"]) for r in records if r.get("request_id") in set(answered)]
    assert sorted(by_id) == sorted(answered)  # every answered request, exactly once
    verify = subprocess.run(
        [sys.executable, "-m", "hanji.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr
    store.close()
