"""`hanji tenant ...`: tenants, their keys and policy, key rotation, shredding, deletion.

Thin commands over `hanji.tenants.lifecycle`, which writes each operator action (create,
rename, policy, keys, rotate-key, shred, delete) to the audit log. Every name, label and
host is printed as data (`hanji.tenants.options.print_table`), never as Rich markup.
Light at import time: everything else is imported when a command runs.
"""

from __future__ import annotations

import enum
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hanji.tenants.options import ConfigOpt, DbOpt, fail, opened, print_table

if TYPE_CHECKING:
    from hanji.audit.log import AuditLog
    from hanji.settings import Settings
    from hanji.tenants.store import Store


class ProfileChoice(enum.StrEnum):
    finance = "finance"
    public = "public"
    general = "general"


class ExternalChoice(enum.StrEnum):
    allow = "allow"
    refuse = "refuse"
    pseudonymize = "pseudonymize"


app = typer.Typer(help="Tenants, their model allow-lists and their API keys.", no_args_is_help=True)
key_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(key_app, name="key")


def _audit(settings: Settings, store: Store) -> AuditLog | None:
    """The audit log operator actions are written to (None when HANJI_AUDIT is off)."""
    if not settings.audit:
        return None
    from hanji.tenants.home import open_audit

    try:
        return open_audit(settings, store)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _vault(settings: Settings, store: Store) -> Any:
    from hanji.tenants.home import open_vault

    return open_vault(settings, store)


@app.command("create")
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
    from hanji.tenants.lifecycle import create_tenant
    from hanji.tenants.store import StoreError
    from hanji.vault import VaultError

    with opened(config, db, StoreError, VaultError) as (settings, store):
        tenant, keys = create_tenant(
            store,
            _vault(settings, store),
            _audit(settings, store),
            name,
            profile.value,
            allowed_models=[m for m in (models or "").split(",") if m.strip()],
            allowed_hosts=allow_host or [],
            key_provider=key_provider,
        )
    typer.echo(f"created tenant {tenant.name} ({tenant.id}), profile {tenant.profile}")
    typer.echo(f"models: {', '.join(tenant.allowed_models) or 'all'}")
    if tenant.allowed_hosts:
        typer.echo(f"allowed hosts: {', '.join(tenant.allowed_hosts)}")
    typer.echo(f"key-encryption key: {keys.location}")


@app.command("list")
def tenant_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List tenants."""
    with opened(config, db) as (_, store):
        tenants = store.list_tenants()
    print_table(
        ("name", "id", "profile", "models", "allowed hosts", "created"),
        (
            (
                t.name,
                t.id,
                t.profile,
                ", ".join(t.allowed_models) or "all",
                ", ".join(t.allowed_hosts) or "-",
                t.created_at.strftime("%Y-%m-%d %H:%M"),
            )
            for t in tenants
        ),
    )


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
    from hanji.tenants.keys import issue_key
    from hanji.tenants.store import StoreError

    with opened(config, db, StoreError, ValueError) as (settings, store):
        record, key = issue_key(
            store,
            settings.pepper_bytes(),
            name,
            label=label,
            rpm=rpm or settings.default_rpm,
            tpm=tpm or settings.default_tpm,
            audit=_audit(settings, store),
        )
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
    from hanji.tenants.store import StoreError

    with opened(config, db, StoreError) as (_, store):
        keys = store.list_keys(name)
    print_table(
        ("id", "tenant", "hint", "label", "rpm", "tpm", "created", "status"),
        (
            (
                k.id,
                k.tenant_name or k.tenant_id,
                k.hint,
                k.label or "",
                k.rpm or "-",
                k.tpm or "-",
                k.created_at.strftime("%Y-%m-%d %H:%M"),
                "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d %H:%M}",
            )
            for k in keys
        ),
    )


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id, as `hanji tenant key list` shows it.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Revoke a key; the server refuses it from the next request on."""
    from hanji.tenants.lifecycle import revoke_key
    from hanji.tenants.store import StoreError

    with opened(config, db, StoreError) as (settings, store):
        record = revoke_key(store, _audit(settings, store), key_id)
    typer.echo(f"revoked {record.id}")


@app.command("policy")
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
    from hanji.tenants.lifecycle import set_policy
    from hanji.tenants.policy import PolicyError, resolve_policy
    from hanji.tenants.store import StoreError

    changes: dict[str, Any] = {}
    with opened(config, db, StoreError, PolicyError) as (settings, store):
        for key, value in (
            ("retention_days", retention_days),
            ("max_tokens", max_tokens),
            ("external", external.value if external else None),
            ("outbound_mask", outbound_mask),
            ("threshold", threshold),
        ):
            if value is not None:
                changes[key] = value
        audit = _audit(settings, store) if changes or pii or reset else None
        tenant = set_policy(store, audit, name, changes, pii=pii or (), reset=reset)
    policy = resolve_policy(tenant.profile, tenant.policy)
    typer.echo(f"tenant {tenant.name}: profile {policy.profile}")
    for kind, action in policy.actions.items():
        typer.echo(f"  {kind:<15} {action}")
    typer.echo(f"retention: {policy.retention_days} days")
    typer.echo(f"max tokens: {policy.max_tokens or 'no cap'}")
    typer.echo(f"external upstreams: {policy.external}")
    typer.echo(f"outbound mask: {'on' if policy.outbound_mask else 'off'}")


@app.command("rotate-key")
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
    from hanji.tenants.lifecycle import rotate_key
    from hanji.tenants.store import StoreError
    from hanji.vault import VaultError

    with opened(config, db, StoreError, VaultError) as (settings, store):
        tenant, report = rotate_key(
            store, _vault(settings, store), _audit(settings, store), name, key_provider
        )
    typer.echo(
        f"rotated keys of {tenant.name}: {report.rewrapped} data keys re-wrapped, "
        f"new data key {report.active_key}, key provider {report.provider}"
    )


@app.command("shred")
def tenant_shred(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Destroy the tenant's data keys: its stored data can never be decrypted again.

    Also revokes every API key of the tenant. Irreversible.
    """
    from hanji.tenants.lifecycle import shred
    from hanji.tenants.store import StoreError
    from hanji.vault import VaultError

    if not yes and sys.stdin.isatty():
        typer.confirm(
            f"Destroy every data key of {name}? Its stored data becomes unreadable for good.",
            abort=True,
        )
    with opened(config, db, StoreError, VaultError) as (settings, store):
        done = shred(store, _vault(settings, store), _audit(settings, store), name)
    report = done.report
    typer.echo(
        f"shredded {done.tenant.name}: {report.keys_destroyed} data keys destroyed, "
        f"{report.records_unreadable} stored records can no longer be decrypted, "
        f"{done.api_keys_revoked} API keys revoked"
    )
    if report.kek_destroyed:
        typer.echo(f"the key-encryption key at {report.kek_location} was destroyed too")
    else:
        typer.echo(
            f"the key-encryption key is held by the customer ({report.kek_location}): "
            "destroying it there makes old backups unreadable as well"
        )


@app.command("rename")
def tenant_rename(
    old: Annotated[str, typer.Argument(help="The tenant's name now.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Rename a tenant; a name another tenant has is refused.

    The tenant id stays: audit records, vault keys, policy and API keys follow the id, so
    nothing else changes and the tenant's API keys go on working.
    """
    from hanji.tenants.lifecycle import rename_tenant
    from hanji.tenants.store import StoreError

    with opened(config, db, StoreError) as (settings, store):
        tenant = rename_tenant(store, _audit(settings, store), old, new)
    typer.echo(f"renamed tenant {tenant.id} to {tenant.name}")


@app.command("delete")
def tenant_delete(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Shred a tenant and remove it. Irreversible: needs --yes (or a yes at the prompt).

    Its data keys are destroyed as by `shred` (stored data can never be decrypted again),
    its API keys stop working, and its row, policy and API keys leave the store. The id is
    kept as a tombstone, never given to another tenant, so the audit log (which refers to
    tenants by id and is never rewritten) stays verifiable. The name becomes free.
    """
    from hanji.tenants.lifecycle import delete_tenant
    from hanji.tenants.store import StoreError
    from hanji.vault import VaultError

    if not yes:
        if not sys.stdin.isatty():
            raise fail(f"deleting {name} cannot be undone: pass --yes")
        typer.confirm(
            f"Delete {name} and destroy every data key of it? This cannot be undone.",
            abort=True,
        )
    with opened(config, db, StoreError, VaultError) as (settings, store):
        done = delete_tenant(store, _vault(settings, store), _audit(settings, store), name)
    typer.echo(
        f"deleted {done.tenant.name} ({done.tenant.id}): "
        f"{done.report.keys_destroyed} data keys destroyed, "
        f"{done.report.records_unreadable} stored records can no longer be decrypted, "
        f"{done.api_keys_revoked} API keys revoked"
    )


@app.command("purge")
def tenant_purge(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Delete expired conversations and audit records past retention (the server does it too)."""
    from hanji.tenants.home import open_audit
    from hanji.tenants.lifecycle import purge_once

    with opened(config, db) as (settings, store):
        audit = open_audit(settings, store, signer=False) if settings.audit else None
        report = purge_once(_vault(settings, store), audit, settings.audit_retention_days)
    typer.echo(
        f"purged {report.records} expired records and {report.audit_records} audit records "
        f"older than {settings.audit_retention_days} days"
    )
