"""`hanji serve`, `hanji tenant ...` and `hanji audit ...`: the gateway and its operator tools.

All read the same place: ``$HANJI_HOME`` (default ``~/.local/share/hanji``) or ``--db``.
Operator actions on tenants (create, policy, keys, rotate-key, shred) are themselves
written to the audit log.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from hanji.serve.settings import LocalModelConfig, Settings, UpstreamConfig

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="serve.toml with the same keys as the HANJI_* settings."),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (default: sqlite under HANJI_HOME), e.g. postgresql+psycopg://…"
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def _settings(config: Path | None, **overrides: object) -> Settings:
    try:
        return Settings.load(config, **overrides)
    except (ValidationError, ValueError) as exc:
        raise _fail(_explain(exc)) from None


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(exc)


# ---------------------------------------------------------------- hanji serve


def _check_model_refs(settings: Settings) -> None:
    """Fail before binding the port when a model reference cannot be resolved at all."""
    try:
        from hanji.modeling import ModelResolutionError, resolve
    except ImportError:  # pragma: no cover - hanji.modeling ships with the package
        return
    for model in settings.models:
        try:
            resolve(model.ref)
        except ModelResolutionError as exc:
            raise _fail(f"--model {model.ref}: {exc}") from None


def serve_command(
    config: ConfigOpt = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Serve this model dir (or model reference) in-process."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Name clients use for --model (default: its folder name)."),
    ] = None,
    upstream: Annotated[
        str | None,
        typer.Option(
            "--upstream",
            help="Base URL of an OpenAI-compatible server, e.g. http://10.0.0.5:8000/v1.",
        ),
    ] = None,
    upstream_model: Annotated[
        str | None,
        typer.Option("--upstream-model", help="Model name on the upstream; served under it."),
    ] = None,
    upstream_key_env: Annotated[
        str | None,
        typer.Option(
            "--upstream-key-env", help="Environment variable holding the upstream's API key."
        ),
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on (default 8000).")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve models over the OpenAI API (chat, completions, embeddings, SSE streaming)."""
    if name and not model:
        raise _fail("--name needs --model")
    if bool(upstream) != bool(upstream_model):
        raise _fail("--upstream and --upstream-model go together")
    if upstream_key_env and not upstream:
        raise _fail("--upstream-key-env needs --upstream")
    settings = _settings(config, host=host, port=port, db=db)
    try:
        extra_models = [LocalModelConfig(ref=model, name=name)] if model else []
        extra_upstreams = (
            [UpstreamConfig(url=upstream, model=upstream_model, key_env=upstream_key_env)]
            if upstream and upstream_model
            else []
        )
        settings = Settings.model_validate(
            {
                **settings.model_dump(),
                "models": [*settings.models, *extra_models],
                "upstreams": [*settings.upstreams, *extra_upstreams],
            }
        )
    except ValidationError as exc:
        raise _fail(_explain(exc)) from None
    if not settings.models and not settings.upstreams:
        raise _fail("nothing to serve: pass --model REF or --upstream URL --upstream-model MODEL")
    _check_model_refs(settings)

    import logging

    from hanji.serve.app import create_app, run_server

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    names = [m.served_name for m in settings.models] + [u.served_name for u in settings.upstreams]
    typer.echo(
        f"hanji serve: {', '.join(names)} at http://{settings.host}:{settings.port}/v1", err=True
    )
    run_server(app, host=settings.host, port=settings.port, log_level=settings.log_level)


# ---------------------------------------------------------------- hanji tenant


class ProfileChoice(enum.StrEnum):
    finance = "finance"
    public = "public"
    general = "general"


tenant_app = typer.Typer(
    help="Tenants, their model allow-lists and their API keys.", no_args_is_help=True
)
key_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
tenant_app.add_typer(key_app, name="key")
app = tenant_app  # the package convention: each cli.py exposes `app`


def _print_table(table: object) -> None:
    """Wide when piped, so scripts and tests see whole cells instead of wrapped ones."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=240)
    console.print(table)


@contextmanager
def _opened(
    config: Path | None, db: str | None, *errors: type[Exception]
) -> Iterator[tuple[Settings, Any]]:
    """The settings and an open store; ``errors`` become a one-line CLI error; always closed."""
    from hanji.serve.store import Store

    settings = _settings(config, db=db)
    store = Store(settings.db_url)
    try:
        yield settings, store
    except errors as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()


def _audit_admin(
    settings: Settings, store: Any, event: str, tenant_id: str | None, **details: Any
) -> None:
    """Record an operator action in the audit log (and sign a checkpoint over it)."""
    if not settings.audit:
        return
    from hanji.serve.audit import admin_entry
    from hanji.serve.security import open_audit

    try:
        audit = open_audit(settings, store)
        audit.append([admin_entry(event, tenant_id, **details)])
        audit.checkpoint()
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _vault(settings: Settings, store: Any) -> Any:
    from hanji.serve.security import open_vault

    return open_vault(settings, store)


@tenant_app.command("create")
def tenant_create(
    name: Annotated[str, typer.Argument(help="Tenant name (Korean welcome), e.g. 한빛은행.")],
    profile: Annotated[
        ProfileChoice, typer.Option("--profile", help="Policy profile: finance, public or general.")
    ],
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host", help="Upstream host inside the tenant's perimeter (repeatable)."
        ),
    ] = None,
    models: Annotated[
        str | None,
        typer.Option("--models", help="Comma-separated model allow-list (default: all)."),
    ] = None,
    key_provider: Annotated[
        str | None,
        typer.Option(
            "--key-provider",
            help="Where the tenant's key-encryption key lives: local-file:PATH, env:VAR, "
            "vault-transit:URL/MOUNT/KEY (default: a key file under HANJI_HOME/vault).",
        ),
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a tenant, with its key provider and first data key."""
    from hanji.serve.store import StoreError
    from hanji.vault import VaultError, aead

    with _opened(config, db, StoreError, VaultError) as (settings, store):
        vault = _vault(settings, store)
        if key_provider is not None:  # check the KEK works before anything is created
            provider = vault.provider(key_provider)
            provider.ensure()
            provider.wrap(aead.new_key(), aead.aad("probe"))
        tenant = store.create_tenant(
            name,
            profile.value,
            allowed_models=[m for m in (models or "").split(",") if m.strip()],
            allowed_hosts=allow_host or [],
        )
        keys = vault.configure(tenant.id, key_provider)
        _audit_admin(
            settings,
            store,
            "tenant.create",
            tenant.id,
            profile=tenant.profile,
            key_provider=keys.provider,
        )
    typer.echo(f"created tenant {tenant.name} ({tenant.id}), profile {tenant.profile}")
    typer.echo(f"models: {', '.join(tenant.allowed_models) or 'all'}")
    if tenant.allowed_hosts:
        typer.echo(f"allowed hosts: {', '.join(tenant.allowed_hosts)}")
    typer.echo(f"key-encryption key: {keys.location}")


@tenant_app.command("list")
def tenant_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List tenants."""
    from rich.table import Table

    with _opened(config, db) as (_, store):
        tenants = store.list_tenants()
    table = Table("name", "id", "profile", "models", "allowed hosts", "created")
    for t in tenants:
        table.add_row(
            t.name,
            t.id,
            t.profile,
            ", ".join(t.allowed_models) or "all",
            ", ".join(t.allowed_hosts) or "-",
            t.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    _print_table(table)


@key_app.command("create")
def key_create(
    name: Annotated[str, typer.Argument(help="Tenant the key belongs to.")],
    rpm: Annotated[int | None, typer.Option("--rpm", min=1, help="Requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", min=1, help="Tokens per minute.")] = None,
    label: Annotated[str | None, typer.Option("--label", help="A note to tell keys apart.")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Create an API key; it is printed once, alone on the last line of stdout."""
    from hanji.serve.auth import issue_key
    from hanji.serve.store import StoreError

    with _opened(config, db, StoreError, ValueError) as (settings, store):
        pepper = settings.pepper_bytes()
        record, key = issue_key(
            store,
            pepper,
            name,
            label=label,
            rpm=rpm or settings.default_rpm,
            tpm=tpm or settings.default_tpm,
        )
        _audit_admin(settings, store, "key.create", record.tenant_id, key_id=record.id)
    limits = f"rpm {record.rpm or 'unlimited'}, tpm {record.tpm or 'unlimited'}"
    typer.echo(f"key {record.id} for tenant {record.tenant_name} ({limits})", err=True)
    typer.echo("this key is shown once; store it now", err=True)
    typer.echo(key)


@key_app.command("list")
def key_list(
    name: Annotated[str | None, typer.Argument(help="Only this tenant's keys.")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """List keys (ids, hints, limits, status; never the keys)."""
    from rich.table import Table

    from hanji.serve.store import StoreError

    with _opened(config, db, StoreError) as (_, store):
        keys = store.list_keys(name)
    table = Table("id", "tenant", "hint", "label", "rpm", "tpm", "created", "status")
    for k in keys:
        table.add_row(
            k.id,
            k.tenant_name or k.tenant_id,
            k.hint,
            k.label or "",
            str(k.rpm or "-"),
            str(k.tpm or "-"),
            k.created_at.strftime("%Y-%m-%d %H:%M"),
            "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d %H:%M}",
        )
    _print_table(table)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id, as `hanji tenant key list` shows it.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Revoke a key; the server refuses it from the next request on."""
    from hanji.serve.store import StoreError

    with _opened(config, db, StoreError) as (settings, store):
        record = store.revoke_key(key_id)
        _audit_admin(settings, store, "key.revoke", record.tenant_id, key_id=record.id)
    typer.echo(f"revoked {record.id}")


# ---------------------------------------------------------------- policy, keys, shred


def _parse_pii(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        kind, sep, action = pair.partition("=")
        if not sep:
            raise _fail(f"--pii expects TYPE=ACTION (e.g. PHONE=mask), got '{pair}'")
        out[kind.strip().upper()] = action.strip().lower()
    return out


class ExternalChoice(enum.StrEnum):
    allow = "allow"
    refuse = "refuse"
    pseudonymize = "pseudonymize"


@tenant_app.command("policy")
def tenant_policy(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    pii: Annotated[
        list[str] | None,
        typer.Option(
            "--pii", help="TYPE=ACTION, ACTION one of allow, mask, pseudonymize, block (repeat)."
        ),
    ] = None,
    retention_days: Annotated[
        int | None,
        typer.Option("--retention-days", min=0, help="Keep conversations, encrypted (0: never)."),
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", min=1, help="Cap on tokens per completion.")
    ] = None,
    external: Annotated[
        ExternalChoice | None,
        typer.Option(
            "--external",
            help="Upstreams outside the perimeter: refuse, pseudonymize (FSC sandbox rule), "
            "allow (general profile only).",
        ),
    ] = None,
    outbound_mask: Annotated[
        bool | None,
        typer.Option("--outbound-mask/--no-outbound-mask", help="Mask new PII the model emits."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", min=0.01, max=1.0, help="PII score threshold.")
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Drop every override: back to the profile.")
    ] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Show or change a tenant's policy (its profile plus these overrides)."""
    from hanji.serve.policy import PolicyError, resolve_policy, validate_overrides
    from hanji.serve.store import StoreError

    with _opened(config, db, StoreError, PolicyError) as (settings, store):
        tenant = store.require_tenant(name)
        overrides: dict[str, Any] = {} if reset else dict(tenant.policy)
        changes: dict[str, Any] = {}
        if pii:
            changes["pii"] = {**overrides.get("pii", {}), **_parse_pii(pii)}
        for key, value in (
            ("retention_days", retention_days),
            ("max_tokens", max_tokens),
            ("external", external.value if external else None),
            ("outbound_mask", outbound_mask),
            ("threshold", threshold),
        ):
            if value is not None:
                changes[key] = value
        if changes or reset:
            overrides = validate_overrides(tenant.profile, {**overrides, **changes})
            tenant = store.set_policy(name, overrides)
            _audit_admin(settings, store, "tenant.policy", tenant.id, overrides=overrides)
    policy = resolve_policy(tenant.profile, tenant.policy)
    typer.echo(f"tenant {tenant.name}: profile {policy.profile}")
    for kind, action in policy.actions.items():
        typer.echo(f"  {kind:<15} {action}")
    typer.echo(f"retention: {policy.retention_days} days")
    typer.echo(f"max tokens: {policy.max_tokens or 'no cap'}")
    typer.echo(f"external upstreams: {policy.external}")
    typer.echo(f"outbound mask: {'on' if policy.outbound_mask else 'off'}")


@tenant_app.command("rotate-key")
def tenant_rotate_key(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    key_provider: Annotated[
        str | None,
        typer.Option(
            "--key-provider",
            help="Move to this key provider (default: a new version of the current KEK).",
        ),
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Start a new data key and re-wrap every data key of the tenant under a fresh KEK."""
    from hanji.serve.store import StoreError
    from hanji.vault import VaultError

    with _opened(config, db, StoreError, VaultError) as (settings, store):
        tenant = store.require_tenant(name)
        report = _vault(settings, store).rotate(tenant.id, key_provider)
        _audit_admin(
            settings,
            store,
            "tenant.rotate_key",
            tenant.id,
            rewrapped=report.rewrapped,
            active_key=report.active_key,
            key_provider=report.provider,
        )
    typer.echo(
        f"rotated keys of {tenant.name}: {report.rewrapped} data keys re-wrapped, "
        f"new data key {report.active_key}, key provider {report.provider}"
    )


@tenant_app.command("shred")
def tenant_shred(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Destroy the tenant's data keys: its stored data can never be decrypted again.

    Also revokes every API key of the tenant. Irreversible.
    """
    from hanji.serve.store import StoreError
    from hanji.vault import VaultError

    if not yes and sys.stdin.isatty():
        typer.confirm(
            f"Destroy every data key of {name}? Its stored data becomes unreadable for good.",
            abort=True,
        )
    with _opened(config, db, StoreError, VaultError) as (settings, store):
        tenant = store.require_tenant(name)
        report = _vault(settings, store).shred(tenant.id)
        revoked = store.revoke_tenant_keys(tenant.id)
        _audit_admin(
            settings,
            store,
            "tenant.shred",
            tenant.id,
            keys_destroyed=report.keys_destroyed,
            records_unreadable=report.records_unreadable,
            kek_destroyed=report.kek_destroyed,
            api_keys_revoked=revoked,
        )
    typer.echo(
        f"shredded {tenant.name}: {report.keys_destroyed} data keys destroyed, "
        f"{report.records_unreadable} stored records can no longer be decrypted, "
        f"{revoked} API keys revoked"
    )
    if report.kek_destroyed:
        typer.echo(f"the key-encryption key at {report.kek_location} was destroyed too")
    else:
        typer.echo(
            f"the key-encryption key is held by the customer ({report.kek_location}): "
            "destroying it there makes old backups unreadable as well"
        )


@tenant_app.command("purge")
def tenant_purge(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Delete expired conversations and audit records past retention (the server does it too)."""
    from hanji.serve.retention import purge_once
    from hanji.serve.security import open_audit

    with _opened(config, db) as (settings, store):
        audit = open_audit(settings, store, signer=False) if settings.audit else None
        report = purge_once(_vault(settings, store), audit, settings.audit_retention_days)
    typer.echo(
        f"purged {report.records} expired records and {report.audit_records} audit records "
        f"older than {settings.audit_retention_days} days"
    )


# ---------------------------------------------------------------- hanji audit

audit_app = typer.Typer(
    help="The hash-chained audit log: verify it, export it for a regulator.",
    no_args_is_help=True,
)


def _public_keys(settings: Settings, paths: list[Path] | None) -> list[Any]:
    from hanji.serve.audit import Signer, load_public_key, public_key_path

    try:
        if paths:
            return [load_public_key(p) for p in paths]
        if settings.audit_signing_key is not None:
            return [Signer.from_seed_hex(settings.audit_signing_key.get_secret_value()).public]
        default = public_key_path(settings.audit_key_path())
        return [load_public_key(default)] if default.exists() else []
    except ValueError as exc:
        raise _fail(str(exc)) from None


@audit_app.command("verify")
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
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Check the chain: exit 0 if intact, 1 naming the first bad record otherwise."""
    from hanji.serve.audit import AuditLog, verify_jsonl, verify_log

    if file is not None:
        if not file.is_file():
            raise _fail(f"--file: no such file '{file}'")
        with file.open(encoding="utf-8") as handle:
            try:
                verdict = verify_jsonl(handle)
            except (ValueError, TypeError):
                raise _fail(f"--file: {file} is not a hanji audit export") from None
    else:
        with _opened(config, db) as (settings, store):
            keys = _public_keys(settings, public_key)
            verdict = verify_log(AuditLog(store.engine), keys)
    typer.echo(verdict.message())
    if not verdict.ok:
        raise typer.Exit(code=1)


def _when(value: str, flag: str, *, end: bool = False) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _fail(
            f"{flag}: expected a date like 2025-01-31 or 2025-01-31T09:00, got '{value}'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end and len(value.strip()) == 10:  # a whole day: up to the end of it
        parsed += timedelta(days=1)
    return parsed.astimezone(UTC)


@audit_app.command("export")
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

    from hanji.serve.audit import AuditLog
    from hanji.serve.store import StoreError

    lo, hi = _when(start, "--from"), _when(end, "--to", end=True)
    if hi <= lo:
        raise _fail("--to must come after --from")
    count = 0
    with _opened(config, db, StoreError) as (_, store):
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
