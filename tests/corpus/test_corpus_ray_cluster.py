"""`hanji corpus build` on a real Ray cluster process (`ray start --head`), against Local."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from .conftest import sample_records, write_jsonl

pytestmark = [pytest.mark.ray, pytest.mark.slow]

ENGLISH = (
    "The committee met on Tuesday to review the quarterly budget and agreed to postpone "
    "the vote on the new library hours until the public hearing next month."
)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """A head node of our own (own temp dir, port and auth token), stopped by signalling only
    it; yields the head process and the environment that reaches it (``RAY_ADDRESS``)."""
    pytest.importorskip("ray")
    ray_bin = Path(sys.executable).with_name("ray")
    if not ray_bin.is_file():
        ray_bin = Path(shutil.which("ray") or "ray")
    # short: Ray puts Unix sockets under it, and their paths are limited to 107 bytes
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    port = _port()
    address = f"127.0.0.1:{port}"
    # a token of its own: not ~/.ray/auth_token, which a local ray.init() may have written
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env.pop("RAY_ADDRESS", None)
    head = subprocess.Popen(
        [
            *(str(ray_bin), "start", "--head", "--block", "--num-cpus", "2"),
            *("--port", str(port), "--temp-dir", str(temp)),
            *("--include-dashboard=false", "--disable-usage-stats"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            status = subprocess.run(
                [str(ray_bin), "status", "--address", address],
                capture_output=True,
                timeout=60,
                env=env,
            )
            if status.returncode == 0:
                break
            assert head.poll() is None and time.monotonic() < deadline, "ray head did not start"
            time.sleep(1)
        yield head, {**env, "RAY_ADDRESS": address}
    finally:
        # `ray stop` would stop every Ray process on the machine; `ray start --block` stops
        # the processes of its own cluster when it is terminated
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(10)
        shutil.rmtree(temp, ignore_errors=True)


def _inputs(folder: Path) -> Path:
    """Sample news, exact copies under new ids, English and too-short documents."""
    news = sample_records("news", 40)
    copies = [{**r, "id": f"copy-{i}"} for i, r in enumerate(news[:6])]
    english = [{"id": f"en-{i}", "text": f"{ENGLISH} ({i})"} for i in range(3)]
    short = [{"id": f"short-{i}", "text": "안녕"} for i in range(2)]
    return write_jsonl(folder / "news.jsonl", news + copies + english + short)


def _recipe(path: Path, data: Path, out: Path, executor: str) -> Path:
    path.write_text(
        f'[corpus]\nworkers = 2\nexecutor = "{executor}"\n\n'
        f'[[corpus.sources]]\npath = "{data}"\ndomain = "news"\n\n'
        f'[output]\ndir = "{out}"\n',
        encoding="utf-8",
    )
    return path


def _build(recipe: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hanji.cli", "corpus", "build", str(recipe), "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]


def _kept(out: Path) -> dict[str, str]:
    docs: dict[str, str] = {}
    for shard in sorted((out / "shards").rglob("*.parquet")):
        table = pq.read_table(shard, columns=["id", "text"]).to_pylist()
        for row in table:
            assert row["id"] not in docs, f"document {row['id']} written twice"
            docs[row["id"]] = row["text"]
    return docs


def _figures(out: Path) -> dict:
    """stats.json without what differs between two runs of the same work (time, paths)."""
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    stats.pop("timing")
    for step in stats["steps"]:
        step.pop("seconds")
    return stats


def test_ray_cluster_build_matches_local(ray_cluster, tmp_path: Path) -> None:
    _, ray_env = ray_cluster
    data = _inputs(tmp_path / "in")
    env = {k: v for k, v in ray_env.items() if k != "RAY_ADDRESS"}
    local, remote = tmp_path / "local", tmp_path / "ray"
    _build(_recipe(tmp_path / "local.toml", data, local, "local"), env)
    _build(_recipe(tmp_path / "ray.toml", data, remote, "ray"), ray_env)
    kept = _kept(local)
    assert 30 <= len(kept) < 51 and not any(i.startswith(("en-", "short-")) for i in kept)
    assert _kept(remote) == kept  # same ids, same text
    a, b = _figures(local), _figures(remote)
    assert a["dropped"] and a["dropped"] == b["dropped"]  # per reason
    assert a["dropped"].get("exact_duplicate", 0) + a["dropped"].get("near_duplicate", 0) >= 6
    assert a == b  # every figure of every step


def _busy_worker(head: subprocess.Popen) -> psutil.Process | None:
    """A Ray worker running a pipeline rank that has started work (its pool has a child)."""
    for proc in psutil.Process(head.pid).children(recursive=True):
        try:
            if "RankWorker.run_for_rank" in " ".join(proc.cmdline()) and proc.children():
                return proc
        except psutil.Error:
            continue
    return None


def test_a_worker_killed_mid_stage_loses_and_duplicates_nothing(
    ray_cluster, tmp_path: Path
) -> None:
    head, ray_env = ray_cluster
    data = _inputs(tmp_path / "in")
    local, remote = tmp_path / "local", tmp_path / "ray"
    env = {k: v for k, v in ray_env.items() if k != "RAY_ADDRESS"}
    _build(_recipe(tmp_path / "local.toml", data, local, "local"), env)
    recipe = _recipe(tmp_path / "ray.toml", data, remote, "ray")
    build = subprocess.Popen(
        [sys.executable, "-m", "hanji.cli", "corpus", "build", str(recipe), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ray_env,
    )
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and build.poll() is None and time.monotonic() < deadline:
        worker = _busy_worker(head)
        if worker is not None:
            worker.kill()  # SIGKILL, as the OOM killer or a lost node would
            killed = worker.pid
        time.sleep(0.05)
    out, _ = build.communicate(timeout=600)
    assert killed is not None, "no busy Ray worker was seen to kill"
    assert build.returncode == 0, out[-4000:]
    assert "worker died or was killed" in out  # the raylet saw the task's worker die
    # datatrove resubmitted the dead worker's ranks (no completion marker): same output
    assert _kept(remote) == _kept(local)  # nothing lost, nothing written twice
    assert _figures(remote) == _figures(local)
