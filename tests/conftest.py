"""Suite-wide settings: never touch the network, keep converted models in one cache,
never read the developer's HANJI_* settings; a throwaway PostgreSQL for the tests that need
one (the tenant store, gateway replicas)."""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers shared by several test folders (pii_variants) import by name, as serve_fakes does.
sys.path.insert(0, str(Path(__file__).parent))

# The Hub is unreachable here; offline mode makes Hub failures immediate instead of retried.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """HANJI_* variables of the developer's shell must not leak into settings under test."""
    for name in list(os.environ):
        if name.startswith("HANJI_") and not name.startswith(("HANJI_CACHE", "HANJI_TEST_")):
            monkeypatch.delenv(name)


def pg_binary(name: str) -> str | None:
    """On PATH, else where Debian's postgresql package puts it (not on PATH there)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(versions[-1]) if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """``HANJI_TEST_POSTGRES_URL``, or a throwaway cluster on a Unix socket when possible."""
    url = os.environ.get("HANJI_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if not (initdb and pg_ctl) or importlib.util.find_spec("psycopg") is None:
        pytest.skip("PostgreSQL binaries or psycopg not installed")
    base = Path(tempfile.mkdtemp(prefix="hanji-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        shutil.chown(base, "postgres")
        base.chmod(0o755)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    try:
        subprocess.run(
            [*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
        )
        options = f"-k {base} -p {port} -c listen_addresses='' -c fsync=off"
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL cluster: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)
