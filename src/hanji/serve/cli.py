"""`hanji serve` and `hanji tenant ...`: run the gateway, manage tenants and API keys.

Both read the same place: ``$HANJI_HOME`` (default ``~/.local/share/hanji``) or ``--db``.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

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

    import uvicorn

    from hanji.serve.app import create_app

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    names = [m.served_name for m in settings.models] + [u.served_name for u in settings.upstreams]
    typer.echo(
        f"hanji serve: {', '.join(names)} at http://{settings.host}:{settings.port}/v1", err=True
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
    )


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


def _store(config: Path | None, db: str | None):
    from hanji.serve.store import Store

    settings = _settings(config, db=db)
    return settings, Store(settings.db_url)


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
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a tenant."""
    from hanji.serve.store import StoreError

    _, store = _store(config, db)
    try:
        tenant = store.create_tenant(
            name,
            profile.value,
            allowed_models=[m for m in (models or "").split(",") if m.strip()],
            allowed_hosts=allow_host or [],
        )
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"created tenant {tenant.name} ({tenant.id}), profile {tenant.profile}")
    typer.echo(f"models: {', '.join(tenant.allowed_models) or 'all'}")
    if tenant.allowed_hosts:
        typer.echo(f"allowed hosts: {', '.join(tenant.allowed_hosts)}")


@tenant_app.command("list")
def tenant_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List tenants."""
    from rich.table import Table

    _, store = _store(config, db)
    try:
        tenants = store.list_tenants()
    finally:
        store.close()
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

    settings, store = _store(config, db)
    try:
        pepper = settings.pepper_bytes()
        record, key = issue_key(
            store,
            pepper,
            name,
            label=label,
            rpm=rpm or settings.default_rpm,
            tpm=tpm or settings.default_tpm,
        )
    except (StoreError, ValueError) as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
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

    _, store = _store(config, db)
    try:
        keys = store.list_keys(name)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
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

    _, store = _store(config, db)
    try:
        record = store.revoke_key(key_id)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"revoked {record.id}")
