"""Gateway overhead seen by an ordinary client: httpx, sequential requests, added p50.

    .venv/bin/python bench/gateway_httpx.py [--without-standard] [--requests 300]

`bench/gateway.py` loads the servers with a minimal raw HTTP client, so that the servers
and not the client are measured. A user's client is heavier: this runs the same upstream
and gateway (a Korean message through the guard, the audit log on, a real tenant key) and
times one keep-alive `httpx.Client` sending requests one after another, next to the raw
client, two rounds each. On two cores the client's own CPU competes with the servers', so
its "added" figure is the larger one. ``--without-standard`` runs the servers on asyncio
and h11, as an install without uvicorn[standard] would.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import gateway as bench  # the servers and the raw client of bench/gateway.py

PATH = "/v1/chat/completions"


def httpx_p50(port: int, key: str, n: int) -> float:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        for _ in range(50):  # warm-up
            client.post(PATH, content=bench.BODY)
        for _ in range(n):
            started = time.perf_counter()
            response = client.post(PATH, content=bench.BODY)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"status {response.status_code}")
    return statistics.median(latencies) * 1000


def raw_p50(port: int, key: str, n: int) -> float:
    latencies, errors, _ = asyncio.run(bench.load(port, PATH, key, 1, n, 30.0))
    if errors:
        raise RuntimeError(f"non-200 answers: {dict(errors)}")
    return statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-standard", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-"))
    procs: list = []
    try:
        up, gw, key = bench.start_servers(work, procs, args.without_standard)
        servers = "asyncio + h11" if args.without_standard else "uvloop + httptools"
        print(f"servers on {servers}; {args.requests} sequential requests per figure")
        for round_no in (1, 2):
            hu, hg = httpx_p50(up, "none", args.requests), httpx_p50(gw, key, args.requests)
            ru, rg = raw_p50(up, "none", args.requests), raw_p50(gw, key, args.requests)
            print(
                f"round {round_no}: added p50 with httpx {hg - hu:.3f} ms "
                f"(gateway {hg:.3f}, upstream {hu:.3f}); with the raw client {rg - ru:.3f} ms "
                f"(gateway {rg:.3f}, upstream {ru:.3f})",
                flush=True,
            )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
