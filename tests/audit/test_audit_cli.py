"""`hanji audit ...` through Typer's CliRunner, on tenants renamed or named like markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanji.audit.cli import app as audit_app
from hanji.tenants.cli import app as tenant_app

runner = CliRunner()


def test_export_follows_the_id_across_a_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANJI_HOME", str(tmp_path / "home"))
    assert runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "finance"]).exit_code == 0
    renamed = runner.invoke(tenant_app, ["rename", "한빛은행", "[/]"])
    assert renamed.exit_code == 0, renamed.output
    old = runner.invoke(
        audit_app, ["export", "--from", "2000-01-01", "--to", "2999-01-01", "--tenant", "한빛은행"]
    )
    assert old.exit_code == 2 and "no tenant named '한빛은행'" in old.output
    out = runner.invoke(
        audit_app, ["export", "--from", "2000-01-01", "--to", "2999-01-01", "--tenant", "[/]"]
    )
    assert out.exit_code == 0, out.output
    events = [json.loads(line)["event"] for line in out.stdout.splitlines() if line.startswith("{")]
    assert events == ["tenant.create", "tenant.rename"]  # the record made before the rename too
    verified = runner.invoke(audit_app, ["verify"])
    assert verified.exit_code == 0, verified.output
