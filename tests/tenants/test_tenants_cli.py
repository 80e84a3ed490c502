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


HOSTILE_NAMES = ["[/]", "bank[red]A", "[bold]", "한빛[은행]", "[link=x]우리[/link]"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_and_labels_are_printed_as_data_never_as_markup(home: Path, name: str) -> None:
    """`[/]` used to crash `tenant list` (MarkupError); `bank[red]A` printed as `bankA`."""
    made = runner.invoke(tenant_app, ["create", name, "--profile", "general", "--models", name])
    assert made.exit_code == 0, made.output
    assert f"created tenant {name} " in made.stdout
    listed = runner.invoke(tenant_app, ["list"])
    assert listed.exit_code == 0, listed.output
    assert name in listed.stdout
    key = runner.invoke(tenant_app, ["key", "create", name, "--label", f"label {name}"])
    assert key.exit_code == 0, key.output
    for args in (["key", "list"], ["key", "list", name]):
        keys = runner.invoke(tenant_app, args)
        assert keys.exit_code == 0, keys.output
        assert f"label {name}" in keys.stdout and name in keys.stdout
    shown = runner.invoke(tenant_app, ["policy", name])
    assert shown.exit_code == 0, shown.output
    assert f"tenant {name}: profile general" in shown.stdout
    changed = runner.invoke(tenant_app, ["policy", name, "--max-tokens", "64"])
    assert changed.exit_code == 0 and f"tenant {name}:" in changed.stdout


def test_rename_keeps_the_id_and_the_keys(home: Path) -> None:
    assert runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "finance"]).exit_code == 0
    assert runner.invoke(tenant_app, ["create", "누리청", "--profile", "public"]).exit_code == 0
    key = runner.invoke(tenant_app, ["key", "create", "한빛은행"]).stdout.strip().splitlines()[-1]
    settings = Settings()
    store = Store(settings.db_url)
    before = store.require_tenant("한빛은행")

    taken = runner.invoke(tenant_app, ["rename", "한빛은행", "누리청"])
    assert taken.exit_code == 2 and "already exists" in taken.output
    bad = runner.invoke(tenant_app, ["rename", "한빛은행", "two words"])
    assert bad.exit_code == 2 and "spaces" in bad.output
    missing = runner.invoke(tenant_app, ["rename", "없는회사", "x"])
    assert missing.exit_code == 2 and "no tenant" in missing.output

    renamed = runner.invoke(tenant_app, ["rename", "한빛은행", "한빛[은행]"])
    assert renamed.exit_code == 0, renamed.output
    assert f"renamed tenant {before.id} to 한빛[은행]" in renamed.stdout
    assert store.get_tenant("한빛은행") is None
    after = store.require_tenant("한빛[은행]")
    assert after.id == before.id and after.profile == "finance"
    principal = Authenticator(store, settings.pepper_bytes()).authenticate(f"Bearer {key}")
    assert principal.tenant is not None and principal.tenant.name == "한빛[은행]"
    assert "한빛[은행]" in runner.invoke(tenant_app, ["key", "list"]).stdout
    store.close()


def test_delete_needs_yes_and_then_its_keys_stop_working(home: Path) -> None:
    assert runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "finance"]).exit_code == 0
    key = runner.invoke(tenant_app, ["key", "create", "한빛은행"]).stdout.strip().splitlines()[-1]
    settings = Settings()
    store = Store(settings.db_url)
    auth = Authenticator(store, settings.pepper_bytes())
    tenant = store.require_tenant("한빛은행")
    assert store.authenticate(auth_hash(auth, key)) is not None

    unconfirmed = runner.invoke(tenant_app, ["delete", "한빛은행"])
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert store.get_tenant("한빛은행") is not None  # nothing was done

    deleted = runner.invoke(tenant_app, ["delete", "한빛은행", "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert "1 API keys revoked" in deleted.stdout
    assert store.authenticate(auth_hash(auth, key)) is None
    assert store.get_tenant("한빛은행") is None
    assert "한빛은행" not in runner.invoke(tenant_app, ["list"]).stdout
    assert store.tenant_names()[tenant.id] == "한빛은행 (deleted)"
    again = runner.invoke(tenant_app, ["delete", "한빛은행", "--yes"])
    assert again.exit_code == 2 and "no tenant" in again.output

    # the name is free again, under a new id; the audit chain still verifies
    assert runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "public"]).exit_code == 0
    assert store.require_tenant("한빛은행").id != tenant.id
    from hanji.audit.cli import app as audit_app

    verified = runner.invoke(audit_app, ["verify"])
    assert verified.exit_code == 0, verified.output
    store.close()


def test_policy_threshold_above_the_floor_is_refused_for_finance(home: Path) -> None:
    made = runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "finance"])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(tenant_app, ["policy", "한빛은행", "--threshold", "1.0"])
    assert refused.exit_code != 0
    assert "threshold may be at most 0.5" in refused.output
    store = Store(Settings().db_url)
    try:
        assert "threshold" not in store.require_tenant("한빛은행").policy  # nothing stored
    finally:
        store.close()
