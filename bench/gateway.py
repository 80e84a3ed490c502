"""Gateway overhead: latency added over a fast upstream, and requests/s, at 3 concurrencies.

    .venv/bin/python bench/gateway.py [--litellm /tmp/litellm-venv/bin/litellm] [--json out.json]

Three processes: a fake OpenAI upstream that answers a fixed chat completion at once, the
hanji gateway (`openai` backend pointed at it, a real tenant key checked per request), and
this load generator: a minimal keep-alive HTTP/1.1 client on asyncio streams, light
enough that the servers, not the client, are measured. With `--litellm`, LiteLLM's proxy
(one worker, a master key, the same upstream) is measured in the same run.

What is measured is what `hanji serve` runs on a fresh install: the app from
`create_app(settings)` with its defaults (the tenant policy and PII guard on every request,
the audit log on), a Korean user message, served by `hanji.serve.app.run_server` — uvicorn
on uvloop and httptools, which the ``uvicorn[standard]`` dependency installs. The upstream
runs the same way. ``--without-standard`` runs both as an install without uvloop and
httptools would (asyncio and h11), to see what they are worth.

"Added" latency is the gateway's percentile minus the upstream's percentile at the same
concurrency (two independent samples, not per-request differences). Every phase is capped
in requests and in seconds, so the whole run stays within about two minutes. All three
processes share this machine's cores: compare numbers from one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MODEL = "bench"
BODY = json.dumps(
    {
        "model": MODEL,
        "messages": [{"role": "user", "content": "안녕하세요, 이번 달 카드 결제일을 알려 주세요."}],
        "max_tokens": 16,
    },
    ensure_ascii=False,
).encode()
REPLY = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "결제일은 매월 25일입니다."},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30},
    },
    ensure_ascii=False,
).encode()

# (concurrency, measured requests, warm-up requests); each phase also stops after PHASE_S.
PHASES = ((1, 1500, 200), (50, 4000, 500), (200, 6000, 1000))
PHASE_S = 15.0


# ---------------------------------------------------------------- servers


async def fake_upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI OpenAI look-alike: drains the body, answers REPLY. No framework, no parsing."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(REPLY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": REPLY})


def run_role(args: argparse.Namespace) -> None:
    if args.without_standard:  # as if uvicorn[standard] were not installed: asyncio and h11
        sys.modules["uvloop"] = None  # type: ignore[assignment]
        sys.modules["httptools"] = None  # type: ignore[assignment]
    from hanji.serve.app import create_app, run_server

    if args.role == "upstream":
        app: Any = fake_upstream
    else:
        from hanji.settings import Settings

        settings = Settings(
            upstreams=[{"url": args.upstream, "model": MODEL, "name": MODEL}], log_level="warning"
        )
        assert settings.audit, "the audit log is on by default and measured on"
        app = create_app(settings)
    run_server(app, host="127.0.0.1", port=args.port, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 "):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready after {timeout_s:.0f} s")


# ---------------------------------------------------------------- load


@dataclass
class Phase:
    target: str
    concurrency: int
    requests: int
    errors: int
    error_statuses: dict[str, int]
    """Non-200 answers by HTTP status, so that an error count says what went wrong."""
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_us_per_request: float
    """CPU time (user+sys) the server process spent per request: robust to a busy machine."""


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process and its children, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / ticks


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    marker = b"content-length:"
    at = headers.find(marker)
    if at >= 0:
        end = headers.find(b"\r\n", at)
        await reader.readexactly(int(headers[at + len(marker) : end]))
        return status
    if b"transfer-encoding: chunked" in headers:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return status
    raise RuntimeError("response without length")


async def load(
    port: int, path: str, key: str, concurrency: int, total: int, cap_s: float
) -> tuple[list[float], Counter[int], float]:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    latencies: list[float] = []
    errors: Counter[int] = Counter()
    remaining = total
    stop_at = time.perf_counter() + cap_s

    async def worker() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0 and time.perf_counter() < stop_at:
                remaining -= 1
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors[status] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    return latencies, errors, time.perf_counter() - started


def measure(name: str, port: int, path: str, key: str, pid: int) -> list[Phase]:
    out = []
    for concurrency, total, warmup in PHASES:
        asyncio.run(load(port, path, key, concurrency, warmup, 5.0))
        cpu_before = cpu_seconds(pid)
        latencies, errors, seconds = asyncio.run(load(port, path, key, concurrency, total, PHASE_S))
        cpu = cpu_seconds(pid) - cpu_before
        latencies.sort()
        phase = Phase(
            target=name,
            concurrency=concurrency,
            requests=len(latencies),
            errors=sum(errors.values()),
            error_statuses={str(k): v for k, v in sorted(errors.items())},
            seconds=round(seconds, 2),
            rps=round(len(latencies) / seconds, 1),
            p50_ms=round(percentile(latencies, 0.50) * 1000, 3),
            p95_ms=round(percentile(latencies, 0.95) * 1000, 3),
            p99_ms=round(percentile(latencies, 0.99) * 1000, 3),
            cpu_us_per_request=round(cpu / max(len(latencies), 1) * 1e6, 1),
        )
        print(
            f"  {name:<8} c={concurrency:<3} {phase.requests:>5} req {phase.errors} err "
            f"{phase.rps:>8.1f} req/s  p50 {phase.p50_ms:7.2f}  p95 {phase.p95_ms:7.2f}  "
            f"p99 {phase.p99_ms:7.2f} ms  cpu {phase.cpu_us_per_request:7.1f} us/req"
            + (f"  non-200: {phase.error_statuses}" if phase.errors else ""),
            flush=True,
        )
        out.append(phase)
    return out


# ---------------------------------------------------------------- orchestration


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)


def start_litellm(
    binary: str, upstream_port: int, work: Path
) -> tuple[subprocess.Popen[bytes], int, str]:
    port, master = free_port(), "sk-bench-" + secrets.token_hex(12)
    config = work / "litellm.yaml"
    config.write_text(
        "model_list:\n"
        f"  - model_name: {MODEL}\n"
        "    litellm_params:\n"
        f"      model: openai/{MODEL}\n"
        f"      api_base: http://127.0.0.1:{upstream_port}/v1\n"
        "      api_key: sk-upstream\n"
        "general_settings:\n"
        f"  master_key: {master}\n"
    )
    env = {
        **os.environ,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_LOG": "ERROR",
        "NO_DOCS": "True",
    }
    cmd = [
        binary,
        "--config",
        str(config),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--num_workers",
        "1",
    ]
    proc = spawn(cmd, env, work / "litellm.log")
    wait_ready(port, "/health/liveliness", proc, timeout_s=120)
    return proc, port, master


def start_servers(
    work: Path,
    procs: list[subprocess.Popen[bytes]],
    without_standard: bool = False,
    db: str | None = None,
    rpm: int | None = None,
) -> tuple[int, int, str]:
    """The fake upstream and the gateway in front of it (appended to ``procs``), and a tenant
    key for the gateway: (upstream port, gateway port, key)."""
    env = {**os.environ, "HANJI_HOME": str(work / "home"), "HANJI_PEPPER": secrets.token_hex(32)}
    if db:
        env["HANJI_DB"] = db
    me = [sys.executable, __file__, *(["--without-standard"] if without_standard else [])]
    up_port, gw_port = free_port(), free_port()
    procs.append(spawn([*me, "--role", "upstream", "--port", str(up_port)], env, work / "up.log"))
    wait_ready(up_port, "/", procs[-1], 30)

    from hanji.settings import Settings
    from hanji.tenants.keys import issue_key
    from hanji.tenants.store import Store

    os.environ.update({k: env[k] for k in ("HANJI_HOME", "HANJI_PEPPER", "HANJI_DB") if k in env})
    settings = Settings()
    store = Store(settings.db_url)
    store.create_tenant("벤치마크", "general")
    _, key = issue_key(store, settings.pepper_bytes(), "벤치마크", rpm=rpm)
    store.close()
    upstream_url = f"http://127.0.0.1:{up_port}/v1"
    gateway_cmd = [*me, "--role", "gateway", "--port", str(gw_port), "--upstream", upstream_url]
    procs.append(spawn(gateway_cmd, env, work / "gw.log"))
    wait_ready(gw_port, "/healthz", procs[-1], 60)
    return up_port, gw_port, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["upstream", "gateway"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    parser.add_argument(
        "--without-standard",
        action="store_true",
        help="run the upstream and hanji on asyncio and h11, as without uvicorn[standard]",
    )
    parser.add_argument("--litellm", help="path of LiteLLM's `litellm` command, to compare")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--db",
        help="the gateway's store URL (default: a SQLite file; a PostgreSQL URL "
        "measures the replicas' shared rate buckets); its tenant tables must be empty",
    )
    parser.add_argument(
        "--rpm", type=int, help="the key's requests/min (never reached: measures the bucket)"
    )
    args = parser.parse_args()
    if args.role:
        run_role(args)
        return

    work = Path(tempfile.mkdtemp(prefix="hanji-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        up_port, gw_port, key = start_servers(
            work, procs, args.without_standard, db=args.db, rpm=args.rpm
        )
        fast = not args.without_standard
        loop = "uvloop" if fast and importlib.util.find_spec("uvloop") else "asyncio"
        http = "httptools" if fast and importlib.util.find_spec("httptools") else "h11"
        print(
            f"cores: {os.cpu_count()}, event loop: {loop}, http: {http}, "
            f"python {sys.version.split()[0]}, guard and audit on, "
            f"store {'sqlite' if not args.db else args.db.split(':')[0]}, rpm {args.rpm}"
        )
        results = measure("upstream", up_port, "/v1/chat/completions", "none", procs[0].pid)
        results += measure("hanji", gw_port, "/v1/chat/completions", key, procs[1].pid)
        if args.litellm:
            if shutil.which(args.litellm) is None:
                print(f"LiteLLM not found at {args.litellm}: skipped")
            else:
                proc, ll_port, master = start_litellm(args.litellm, up_port, work)
                procs.append(proc)
                results += measure("litellm", ll_port, "/v1/chat/completions", master, proc.pid)
        report(results, args.json)
        if any(r.errors for r in results if r.target == "hanji"):
            tail = (work / "gw.log").read_text(errors="replace").splitlines()[-20:]
            print("\nhanji answered non-200s; the end of its log:", *tail, sep="\n  ")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def compare(results: list[Phase]) -> list[dict[str, float]]:
    """hanji over LiteLLM at each concurrency both were measured at."""
    hanji = {r.concurrency: r for r in results if r.target == "hanji"}
    litellm = {r.concurrency: r for r in results if r.target == "litellm"}
    return [
        {
            "concurrency": c,
            "rps_ratio": round(hanji[c].rps / litellm[c].rps, 2)
            if litellm[c].rps
            else float("nan"),
            "cpu_ratio": round(hanji[c].cpu_us_per_request / litellm[c].cpu_us_per_request, 2)
            if litellm[c].cpu_us_per_request
            else float("nan"),
        }
        for c in sorted(hanji)
        if c in litellm
    ]


def report(results: list[Phase], out: Path | None) -> None:
    base = {r.concurrency: r for r in results if r.target == "upstream"}
    print("\nadded latency over the upstream (ms; percentile differences) and throughput")
    print(
        f"{'target':<8} {'conc':>4} {'p50+':>8} {'p95+':>8} {'p99+':>8} {'req/s':>9} "
        f"{'cpu us/req':>10} {'errors':>6}"
    )
    rows = []
    for r in results:
        b = base[r.concurrency]
        added = {
            "p50": round(r.p50_ms - b.p50_ms, 3),
            "p95": round(r.p95_ms - b.p95_ms, 3),
            "p99": round(r.p99_ms - b.p99_ms, 3),
        }
        rows.append({**asdict(r), "added_ms": added})
        if r.target != "upstream":
            print(
                f"{r.target:<8} {r.concurrency:>4} {added['p50']:>8.3f} {added['p95']:>8.3f} "
                f"{added['p99']:>8.3f} {r.rps:>9.1f} {r.cpu_us_per_request:>10.1f} {r.errors:>6}"
            )
    ratios = compare(results)
    if ratios:
        print("\nhanji vs LiteLLM, same run (req/s ratio > 1 and CPU ratio < 1 favour hanji)")
        for line in ratios:
            print(
                f"  c={line['concurrency']:<3} req/s x{line['rps_ratio']:.2f}  "
                f"cpu per request x{line['cpu_ratio']:.2f}"
            )
    if out is not None:
        out.write_text(
            json.dumps({"phases": rows, "vs_litellm": ratios}, indent=2, ensure_ascii=False)
        )
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
