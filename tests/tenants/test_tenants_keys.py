"""`hanji tenant create --key-provider`, `policy` and `rotate-key` through Typer's CliRunner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanji.audit.cli import app as audit_app
from hanji.audit.log import AuditLog
from hanji.settings import Settings
from hanji.tenants.cli import app as tenant_app
from hanji.tenants.home import open_vault
from hanji.tenants.store import Store

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANJI_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_customer_key_rotation_and_policy(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = runner.invoke(
        tenant_app,
        ["create", "한빛은행", "--profile", "finance", "--key-provider", "env:HANBIT_KEK"],
    )
    assert refused.exit_code == 2 and "HANBIT_KEK is not set" in refused.output
    assert "한빛은행" not in runner.invoke(tenant_app, ["list"]).stdout  # nothing half-made

    kek = os.urandom(32).hex()
    monkeypatch.setenv("HANBIT_KEK", kek)
    made = runner.invoke(
        tenant_app,
        ["create", "한빛은행", "--profile", "finance", "--key-provider", "env:HANBIT_KEK"],
    )
    assert made.exit_code == 0 and "environment variable HANBIT_KEK" in made.stdout
    store = Store(Settings().db_url)
    tenant = store.require_tenant("한빛은행")
    vault = open_vault(Settings(), store)
    record = vault.seal(tenant.id, "conversation", "상담 내용".encode())

    in_place = runner.invoke(tenant_app, ["rotate-key", "한빛은행"])
    assert in_place.exit_code == 2 and "cannot be rotated in place" in in_place.output
    kek_file = home / "customer" / "kek.json"
    moved = runner.invoke(
        tenant_app, ["rotate-key", "한빛은행", "--key-provider", f"local-file:{kek_file}"]
    )
    assert moved.exit_code == 0 and "1 data keys re-wrapped" in moved.stdout
    monkeypatch.delenv("HANBIT_KEK")  # the old KEK is no longer needed
    again = runner.invoke(tenant_app, ["rotate-key", "한빛은행"])
    assert again.exit_code == 0 and "2 data keys re-wrapped" in again.stdout
    assert vault.open(tenant.id, record).decode() == "상담 내용"

    shown = runner.invoke(
        tenant_app, ["policy", "한빛은행", "--pii", "phone=block", "--retention-days", "30"]
    )
    assert shown.exit_code == 0
    assert "PHONE           block" in shown.stdout and "retention: 30 days" in shown.stdout
    bad = runner.invoke(tenant_app, ["policy", "한빛은행", "--pii", "RRN=allow"])
    assert bad.exit_code == 2 and "never sends unique identifiers in clear" in bad.output
    assert runner.invoke(tenant_app, ["policy", "한빛은행", "--pii", "PHONE"]).exit_code == 2
    reset = runner.invoke(tenant_app, ["policy", "한빛은행", "--reset"])
    assert "PHONE           allow" in reset.stdout and "retention: 0 days" in reset.stdout

    events = [r.data for r in AuditLog(store.engine).records()]
    assert sum('"tenant.rotate_key"' in e for e in events) == 2 and kek not in "".join(events)
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0
    store.close()
