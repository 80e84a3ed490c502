"""`hanji audit verify` and `hanji audit export`: check the chain, export it for a regulator.

Light at import time: everything but typer is imported when a command runs.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hanji.tenants.options import ConfigOpt, DbOpt, fail, opened

if TYPE_CHECKING:
    from hanji.settings import Settings

app = typer.Typer(
    help="The hash-chained audit log: verify it, export it for a regulator.",
    no_args_is_help=True,
)


def _public_keys(settings: Settings, paths: list[Path] | None) -> list[Any]:
    from hanji.audit.signing import Signer, load_public_key, public_key_path

    try:
        if paths:
            return [load_public_key(p) for p in paths]
        if settings.audit_signing_key is not None:
            return [Signer.from_seed_hex(settings.audit_signing_key.get_secret_value()).public]
        default = public_key_path(settings.audit_key_path())
        return [load_public_key(default)] if default.exists() else []
    except ValueError as exc:
        raise fail(str(exc)) from None


@app.command("verify")
def audit_verify(
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="PEM public key(s) that sign checkpoints (default: HANJI_HOME/audit/signing.pub).",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Check an exported JSONL file's own chain instead."),
    ] = None,
    sink: Annotated[
        Path | None,
        typer.Option(
            "--sink",
            help="Also check against the checkpoints copied to this file (the "
            "audit_checkpoint_sink file, or a syslog extract).",
        ),
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Check the chain: exit 0 if intact, 1 naming the first bad record otherwise."""
    from hanji.audit.journal import pending
    from hanji.audit.log import AuditLog
    from hanji.audit.sink import read_checkpoints
    from hanji.audit.verify import verify_jsonl, verify_log

    if file is not None:
        if not file.is_file():
            raise fail(f"--file: no such file '{file}'")
        with file.open(encoding="utf-8") as handle:
            try:
                verdict = verify_jsonl(handle)
            except (ValueError, TypeError):
                raise fail(f"--file: {file} is not a hanji audit export") from None
    else:
        external = []
        if sink is not None:
            if not sink.is_file():
                raise fail(f"--sink: no such file '{sink}'")
            with sink.open(encoding="utf-8", errors="replace") as handle:
                try:
                    external = read_checkpoints(handle, str(sink))
                except ValueError as exc:
                    raise fail(f"--sink: {exc}") from None
        with opened(config, db) as (settings, store):
            keys = _public_keys(settings, public_key)
            verdict = verify_log(AuditLog(store.engine), keys, external)
            waiting = pending(settings.audit_journal_dir())
        if waiting:
            typer.echo(
                f"warning: {waiting} journal lines of a gateway process that died are not in "
                "the chain yet (the next `hanji serve` or `hanji audit recover` adds them)"
            )
    typer.echo(verdict.message())
    if not verdict.ok:
        raise typer.Exit(code=1)


@app.command("recover")
def audit_recover(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Add to the chain what gateway processes that died had journalled (the server does
    this itself when it starts)."""
    from hanji.audit.journal import recover
    from hanji.tenants.home import open_audit

    with opened(config, db) as (settings, store):
        added, interrupted = recover(settings.audit_journal_dir(), open_audit(settings, store))
    typer.echo(f"recovered {added} audit records ({interrupted} interrupted requests)")


def _when(value: str, flag: str, *, end: bool = False) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"{flag}: expected a date like 2025-01-31 or 2025-01-31T09:00, got '{value}'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end and len(value.strip()) == 10:  # a whole day: up to the end of it
        parsed += timedelta(days=1)
    return parsed.astimezone(UTC)


@app.command("export")
def audit_export(
    start: Annotated[str, typer.Option("--from", help="First day (or time, UTC) to export.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive) or time (exclusive).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Only this tenant's records.")
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Write audit records as JSON lines (each with its hash) for a regulator."""
    import json

    from hanji.audit.log import AuditLog
    from hanji.tenants.store import StoreError

    lo, hi = _when(start, "--from"), _when(end, "--to", end=True)
    if hi <= lo:
        raise fail("--to must come after --from")
    count = 0
    with opened(config, db, StoreError) as (_, store):
        tenant_id = store.require_tenant(tenant).id if tenant else None
        handle = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            for record in AuditLog(store.engine).export(lo, hi, tenant_id):
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        finally:
            if out:
                handle.close()
    typer.echo(f"exported {count} audit records", err=True)
