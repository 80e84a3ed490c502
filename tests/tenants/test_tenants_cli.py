"""`hanji tenant ...`: the tenant and key life cycle and its errors, through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanji.serve.auth import Authenticator
from hanji.settings import Settings
from hanji.tenants.cli import app as tenant_app
from hanji.tenants.store import Store

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANJI_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_tenant_and_key_life_cycle(home: Path) -> None:
    made = runner.invoke(
        tenant_app,
        [
            "create",
            "한빛은행",
            "--profile",
            "finance",
            "--allow-host",
            "vllm.internal",
            "--models",
            "hanji-ko,tiny",
        ],
    )
    assert made.exit_code == 0, made.output
    assert "한빛은행" in made.stdout and "finance" in made.stdout
    listed = runner.invoke(tenant_app, ["list"])
    assert "한빛은행" in listed.stdout and "vllm.internal" in listed.stdout

    created = runner.invoke(tenant_app, ["key", "create", "한빛은행", "--rpm", "60"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("hk-") and len(key) > 40

    # the server side, reading the same HANJI_HOME, accepts it
    settings = Settings()
    store = Store(settings.db_url)
    auth = Authenticator(store, settings.pepper_bytes())
    principal = auth.authenticate(f"Bearer {key}")
    assert principal.tenant is not None and principal.tenant.name == "한빛은행"
    assert principal.tenant.allowed_models == ("hanji-ko", "tiny")

    keys = runner.invoke(tenant_app, ["key", "list", "한빛은행"])
    assert principal.key is not None and principal.key.id in keys.stdout
    assert key not in keys.stdout  # the key itself is never shown again

    revoked = runner.invoke(tenant_app, ["key", "revoke", principal.key.id])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert store.authenticate(auth_hash(auth, key)) is None
    store.close()


def auth_hash(auth: Authenticator, key: str) -> str:
    from hanji.tenants.keys import hash_key

    return hash_key(auth._pepper, key)


def test_errors_name_the_problem_and_exit_non_zero(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(tenant_app, ["create", "x"]).exit_code != 0  # --profile is required
    bad = runner.invoke(tenant_app, ["create", "x", "--profile", "secret"])
    assert bad.exit_code != 0
    assert runner.invoke(tenant_app, ["create", "세종시청", "--profile", "public"]).exit_code == 0
    again = runner.invoke(tenant_app, ["create", "세종시청", "--profile", "public"])
    assert again.exit_code == 2 and "already exists" in again.output
    missing = runner.invoke(tenant_app, ["key", "create", "없는회사"])
    assert missing.exit_code == 2 and "no tenant" in missing.output
    assert runner.invoke(tenant_app, ["key", "revoke", "key_nope"]).exit_code == 2


def test_db_flag_points_elsewhere(home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert (
        runner.invoke(
            tenant_app, ["create", "다른곳", "--profile", "general", "--db", url]
        ).exit_code
        == 0
    )
    assert "다른곳" in runner.invoke(tenant_app, ["list", "--db", url]).stdout
    assert "다른곳" not in runner.invoke(tenant_app, ["list"]).stdout


def test_placeholder_pepper_refuses_to_make_keys(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANJI_PEPPER", "change-me")
    result = runner.invoke(tenant_app, ["list"])
    assert result.exit_code == 2 and "placeholder" in result.output


def test_a_bad_audit_key_refuses_the_action_before_anything_is_made(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator action that cannot be audited is not done (it used to be done, unaudited)."""
    monkeypatch.setenv("HANJI_AUDIT_SIGNING_KEY", "zz")
    refused = runner.invoke(tenant_app, ["create", "세종시청", "--profile", "public"])
    assert refused.exit_code == 2 and "HANJI_AUDIT_SIGNING_KEY" in refused.output
    monkeypatch.delenv("HANJI_AUDIT_SIGNING_KEY")
    assert "세종시청" not in runner.invoke(tenant_app, ["list"]).stdout
