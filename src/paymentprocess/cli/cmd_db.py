"""`db upgrade | downgrade | current | history`: the database schema's revision and its migrations.

The only commands that open a database without `ensure_schema` (every other command refuses a
database that is not at the head revision); they import Alembic (storage.migrate) only when run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from paymentprocess.cli.common import friendly_errors, out, state
from paymentprocess.errors import SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.exc import OperationalError

db_app = typer.Typer(
    help="Show or migrate the database schema's revision (back the database up before upgrading).",
    no_args_is_help=True,
)


def _engine(ctx: typer.Context) -> Engine:
    from paymentprocess.storage.database import create_engine_for

    return create_engine_for(state(ctx).settings.db_uri)


def _echo(text: str) -> None:
    out.print(text, highlight=False, markup=False)


def _opened(error: OperationalError, engine: Engine) -> SettingsError:
    from paymentprocess.config import redact_uri

    reason = str(error.orig or error).strip().splitlines()[0]
    where = redact_uri(engine.url.render_as_string())
    return SettingsError(f"cannot open the database {where}: {redact_uri(reason)}")


@db_app.command("upgrade")
@friendly_errors
def upgrade_cmd(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Target revision (default: head).")] = "head",
    sql: Annotated[
        bool,
        typer.Option("--sql", help="Print the upgrade's SQL for review instead of running it."),
    ] = False,
) -> None:
    """Upgrade the schema to the head revision (or --to REV), in one transaction: a failure or a
    crash leaves the revision it had. A 0.1.0 database is recognised as revision 0001."""
    from sqlalchemy.exc import OperationalError

    from paymentprocess.storage import migrate

    engine = _engine(ctx)
    try:
        if sql:
            migrate.upgrade_sql(engine, to)
            return
        before, after = migrate.upgrade(engine, to)
    except OperationalError as exc:
        raise _opened(exc, engine) from None
    finally:
        engine.dispose()
    if before == after:
        _echo(f"schema already at revision {after}: nothing to do")
    else:
        _echo(f"schema upgraded from revision {before or '(empty database)'} to {after}")


@db_app.command("downgrade")
@friendly_errors
def downgrade_cmd(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="Target revision, or -1 for one step (default).")
    ] = "-1",
) -> None:
    """Downgrade the schema (never below the 0.1.0 baseline); refused when it would drop stored
    values the older revision has no column for. Restoring the backup is the usual way back."""
    from sqlalchemy.exc import OperationalError

    from paymentprocess.storage import migrate

    engine = _engine(ctx)
    try:
        before, after = migrate.downgrade(engine, to)
    except OperationalError as exc:
        raise _opened(exc, engine) from None
    finally:
        engine.dispose()
    _echo(f"schema downgraded from revision {before} to {after}")


@db_app.command("current")
@friendly_errors
def current_cmd(ctx: typer.Context) -> None:
    """Print the database's schema revision and the head revision of this version."""
    from sqlalchemy.exc import OperationalError

    from paymentprocess.storage import migrate

    engine = _engine(ctx)
    try:
        found = migrate.current(engine)
    except OperationalError as exc:
        raise _opened(exc, engine) from None
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if found.revision is None:
        _echo(f"(empty database): no revision yet; head {head} (created on first use)")
        return
    note = " (0.1.0, recorded by its schema_version table)" if found.legacy else ""
    verdict = "at head" if found.revision == head else "run `paymentprocess db upgrade`"
    _echo(f"{found.revision}{note}; head {head}: {verdict}")


@db_app.command("history")
@friendly_errors
def history_cmd() -> None:
    """List every revision from the 0.1.0 baseline to the head, with what it changes."""
    from paymentprocess.storage import migrate

    for rev in migrate.history():
        _echo(f"{rev.down_revision or '<base>'} -> {rev.revision}: {rev.summary}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
