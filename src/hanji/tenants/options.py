"""What the operator commands (`hanji serve`, `hanji tenant`, `hanji audit`) share.

They all read the same place: ``$HANJI_HOME`` (default ``~/.local/share/hanji``), or
``--config serve.toml`` and ``--db``. Light at import time: `typer` only; the settings,
the store and rich are imported when a command runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from hanji.settings import Settings
    from hanji.tenants.store import Store

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


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def explain(exc: Exception) -> str:
    """One line per wrong setting, naming it (pydantic's own text is many lines each)."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(exc)


def load_settings(config: Path | None, **overrides: object) -> Settings:
    """The settings, or a one-line CLI error naming what is wrong."""
    from hanji.settings import Settings

    try:
        return Settings.load(config, **overrides)
    except ValueError as exc:  # pydantic's ValidationError included
        raise fail(explain(exc)) from None


@contextmanager
def opened(
    config: Path | None, db: str | None, *errors: type[Exception]
) -> Iterator[tuple[Settings, Store]]:
    """The settings and an open store; ``errors`` become a one-line CLI error; always closed."""
    from hanji.tenants.store import Store

    settings = load_settings(config, db=db)
    store = Store(settings.db_url)
    try:
        yield settings, store
    except errors as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A table of literal cells: names, labels, hosts are data, never Rich markup.

    Every cell becomes a `rich.text.Text`, so ``[/]`` or ``bank[red]A`` print as typed
    instead of crashing or being styled. Wide when piped, so scripts and tests see whole
    cells instead of wrapped ones.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*headers)  # our own words; only the cells carry user data
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    console = Console()
    if not console.is_terminal:
        console = Console(width=240)
    console.print(table)
