"""Tenant and key store on SQLite, and on a real PostgreSQL when its binaries are here."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanji.serve.auth import hash_key, issue_key
from hanji.serve.store import Store, StoreError

PEPPER = b"0123456789abcdef0123456789abcdef"


def exercise(store: Store) -> None:
    """The full tenant/key life cycle, for any database URL."""
    tenant = store.create_tenant(
        "한빛은행", "finance", allowed_models=["hanji-ko"], allowed_hosts=["VLLM.internal."]
    )
    assert tenant.allowed_hosts == ("vllm.internal",) and tenant.may_use("hanji-ko")
    assert not tenant.may_use("gpt-x")
    with pytest.raises(StoreError, match="already exists"):
        store.create_tenant("한빛은행", "public")
    # NFD input names the same tenant as NFC
    decomposed = unicodedata.normalize("NFD", "한빛은행")
    assert decomposed != "한빛은행" and store.get_tenant(decomposed) == tenant

    record, key = issue_key(store, PEPPER, "한빛은행", rpm=60, label="배치")
    assert key.startswith("hk-") and key not in repr(record)
    found = store.authenticate(hash_key(PEPPER, key))
    assert found is not None and found[0].id == tenant.id and found[1].rpm == 60
    assert [k.id for k in store.list_keys("한빛은행")] == [record.id]

    revoked = store.revoke_key(record.id)
    assert not revoked.active
    assert store.authenticate(hash_key(PEPPER, key)) is None
    with pytest.raises(StoreError, match="no key"):
        store.revoke_key("key_missing")
    with pytest.raises(StoreError, match="no tenant"):
        issue_key(store, PEPPER, "없는회사")


def test_sqlite_life_cycle(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'deep' / 'hanji.db'}")
    try:
        exercise(store)
        # the database never holds a key in clear
        assert b"hk-" not in (tmp_path / "deep" / "hanji.db").read_bytes()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("name", "profile", "hosts", "message"),
    [
        ("", "general", [], "1 to 64"),
        ("두 단어", "general", [], "spaces"),
        ("-x", "general", [], "start with"),
        ("ok", "secret", [], "--profile"),
        ("ok", "general", ["not a host!"], "--allow-host"),
    ],
)
def test_bad_tenants_are_refused_with_the_flag_named(
    tmp_path: Path, name: str, profile: str, hosts: list[str], message: str
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        with pytest.raises(StoreError, match=message):
            store.create_tenant(name, profile, allowed_hosts=hosts)
    finally:
        store.close()


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
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
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


@pytest.mark.slow
def test_postgresql_life_cycle(postgres_url: str) -> None:
    store = Store(postgres_url)
    try:
        exercise(store)
    finally:
        from hanji.serve.store import Base

        Base.metadata.drop_all(store.engine)
        store.close()
