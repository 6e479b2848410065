"""The `paymentprocess` program: global options, then one command group per module."""

from __future__ import annotations

from typing import Annotated

import typer

from paymentprocess import __version__
from paymentprocess.cli.common import State

app = typer.Typer(
    name="paymentprocess",
    help=(
        "Pay adjudicated healthcare claims: find every data problem in a Dry Run, then pay "
        "providers and members in a Final Run, exact to the cent.\n\n"
        "The database is the embedded SQLite file ./paymentprocess.db unless --db-uri or "
        "PAYMENT_DB_URI names another (sqlite:///path.db or postgresql://user@host/db)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paymentprocess {__version__}")
        raise typer.Exit


@app.callback()
def main(
    ctx: typer.Context,
    db_uri: Annotated[
        str | None,
        typer.Option(
            "--db-uri",
            help="Database URI (default: PAYMENT_DB_URI or sqlite:///paymentprocess.db).",
        ),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR (PAYMENT_LOG_LEVEL)."),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="Your user's key (PAYMENT_API_KEY); needed by commands that change state once "
            "the database has users (`paymentprocess users`).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options apply to every command."""
    state = State()
    state.overrides = {"db_uri": db_uri, "log_level": log_level, "api_key": key}
    ctx.obj = state


def _register() -> None:
    """Add every command module's commands (each module owns one group of commands)."""
    import importlib
    import pkgutil

    import paymentprocess.cli as cli_pkg

    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"paymentprocess.cli.{info.name}")
            module.register(app)


def run() -> None:
    """Console-script entry point."""
    _register()
    app()
