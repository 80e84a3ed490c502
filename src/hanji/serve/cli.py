"""`hanji serve`: the OpenAI-compatible gateway.

It reads the same place as `hanji tenant` and `hanji audit` (``$HANJI_HOME`` or ``--db``).
Light at import time: the gateway, uvicorn and the settings are imported when it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hanji.tenants.options import ConfigOpt, DbOpt, explain, fail, load_settings

if TYPE_CHECKING:
    from hanji.settings import Settings


def _check_model_refs(settings: Settings) -> None:
    """Fail before binding the port when a model reference cannot be resolved at all."""
    from hanji.modeling import ModelResolutionError, resolve

    for model in settings.models:
        try:
            resolve(model.ref)
        except ModelResolutionError as exc:
            raise fail(f"--model {model.ref}: {exc}") from None


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
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="What runs --model: auto (llama.cpp for a .gguf file, else transformers), "
            "transformers or llama.cpp.",
        ),
    ] = "auto",
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Gateway processes on the one port; each loads the models (default 1).",
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve models over the OpenAI API (chat, completions, embeddings, SSE streaming)."""
    from pydantic import ValidationError

    from hanji.settings import LocalModelConfig, Settings, UpstreamConfig

    if name and not model:
        raise fail("--name needs --model")
    if engine not in ("auto", "transformers", "llama.cpp"):
        raise fail(f"--engine must be auto, transformers or llama.cpp, not '{engine}'")
    if bool(upstream) != bool(upstream_model):
        raise fail("--upstream and --upstream-model go together")
    if upstream_key_env and not upstream:
        raise fail("--upstream-key-env needs --upstream")
    settings = load_settings(config, host=host, port=port, db=db, workers=workers)
    try:
        extra_models = (
            [LocalModelConfig(ref=model, name=name, engine=engine)]  # type: ignore[arg-type]
            if model
            else []
        )
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
        raise fail(explain(exc)) from None
    if not settings.models and not settings.upstreams:
        raise fail("nothing to serve: pass --model REF or --upstream URL --upstream-model MODEL")
    _check_model_refs(settings)

    import logging

    from hanji.serve.app import build_backends, create_app, run_server, run_workers

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:  # with several workers each builds its own app; the supervisor checks the backends
        app = create_app(settings) if settings.workers == 1 else build_backends(settings)
    except ValueError as exc:
        raise fail(str(exc)) from None
    names = [m.served_name for m in settings.models] + [u.served_name for u in settings.upstreams]
    processes = f" ({settings.workers} processes)" if settings.workers > 1 else ""
    typer.echo(
        f"hanji serve: {', '.join(names)} at http://{settings.host}:{settings.port}/v1{processes}",
        err=True,
    )
    if settings.workers > 1:
        run_workers(settings)
    else:
        run_server(app, host=settings.host, port=settings.port, log_level=settings.log_level)
