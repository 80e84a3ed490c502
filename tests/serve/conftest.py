"""Fixtures for the gateway tests: settings under tmp_path, a tenant with a key, apps."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

# Test modules here import their helpers as `serve_fakes`, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

from serve_fakes import FakeBackend, build_tiny_model

from hanji.serve.app import create_app
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

ADMIN_KEY = "admin-" + secrets.token_hex(16)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", pepper=secrets.token_hex(16), admin_key=ADMIN_KEY)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store(settings.db_url)
    yield s
    s.close()


@pytest.fixture
def tenant_key(settings: Settings, store: Store) -> str:
    store.create_tenant("한빛은행", "finance")
    _, key = issue_key(store, settings.pepper_bytes(), "한빛은행")
    return key


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def client(settings: Settings, store: Store, fake: FakeBackend) -> Iterator[TestClient]:
    app = create_app(settings, backends=[fake], store=store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-ko")
