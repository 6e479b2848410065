"""Schema migrations with Alembic, run from the package: upgrade, downgrade, current, history.

The scripts live in `storage/migrations/` (one per revision, 0001 = the 0.1.0 baseline) and run
without an alembic.ini: `alembic_config()` points Alembic at them. An upgrade runs in one
transaction on the caller's connection, under the schema lock (`database.lock_schema`), so a crash
leaves the revision the database had or the target, never one in between. A 0.1.0 database
(`schema_version` 1, no `alembic_version`) is stamped 0001 in that same transaction first.
`upgrade_sql` renders the same upgrade as SQL for a DBA to review, without touching the database.
This module imports Alembic: import it only where a schema is being migrated or reported.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, insert, inspect

from paymentprocess.errors import SchemaRevisionError
from paymentprocess.faults import checkpoint
from paymentprocess.storage.database import (
    BASELINE_REVISION,
    SchemaState,
    alembic_version,
    lock_schema,
    schema_state,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Alembic logs every plugin it sets up at INFO; the db commands print what they did themselves.
logging.getLogger("alembic").setLevel(logging.WARNING)


def alembic_config(
    *, connection: Connection | None = None, dialect: str | None = None, out: TextIO | None = None
) -> Config:
    """Alembic's configuration for the packaged scripts: online on `connection`, or offline
    (SQL to `out`) for the dialect named `dialect`."""
    stream = out if out is not None else sys.stdout
    cfg = Config(output_buffer=stream, stdout=stream)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    cfg.attributes["dialect_name"] = dialect
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


@dataclass(frozen=True)
class Revision:
    """One migration script: its id, the revision it follows and the first line of its docstring."""

    revision: str
    down_revision: str | None
    summary: str


def history() -> list[Revision]:
    """Every revision, from the baseline to the head."""
    revisions = []
    for script in _scripts().walk_revisions():
        down = script.down_revision
        assert down is None or isinstance(down, str)  # one line of revisions, no merges
        summary = (script.module.__doc__ or "").strip().splitlines()[0]
        summary = summary.removeprefix(f"{script.revision} — ")
        revisions.append(Revision(script.revision, down, summary))
    return list(reversed(revisions))


def current(engine: Engine) -> SchemaState:
    """The database's revision (None when it holds none of the product's tables)."""
    with engine.connect() as conn:
        return schema_state(conn)


def _target(to: str) -> str | None:
    """The revision id `to` names (head, an id, or relative like -1); None = below the baseline."""
    try:
        if to in {"head", "heads"}:
            return head_revision()
        if to == "base":
            return None
        return to if to in known_revisions() else None
    except CommandError as exc:
        raise SchemaRevisionError(str(exc)) from None


def _refuse_unknown(state: SchemaState) -> None:
    if state.revision is not None and state.revision not in known_revisions():
        raise SchemaRevisionError(
            f"the database is at schema revision {state.revision}, which this version of "
            f"paymentprocess does not know (its head is {head_revision()}); nothing was changed"
        )


def _check_legacy(conn: Connection) -> None:
    """A `schema_version` 1 database must really be 0.1.0's schema before it is stamped 0001: one
    that a development build between 0.1.0 and 0002 already changed is refused."""
    inspector = inspect(conn)
    refund = {c["name"] for c in inspector.get_columns("refund")}
    if "opening_applied_amount" in refund or inspector.has_table("backup_event"):
        raise SchemaRevisionError(
            "the database records schema_version 1 (0.1.0) but already has tables or columns "
            "of a later development build (refund.opening_applied_amount or backup_event): it "
            "is neither revision 0001 nor 0002; export it with that build and load it into a "
            "new database"
        )


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Upgrade to `to` (head by default) in one transaction; returns (before, after)."""
    with engine.connect() as conn, conn.begin():
        lock_schema(conn)
        state = schema_state(conn)
        _refuse_unknown(state)
        if state.legacy:
            _check_legacy(conn)
            alembic_version.create(conn)
            conn.execute(insert(alembic_version).values(version_num=BASELINE_REVISION))
        try:
            command.upgrade(alembic_config(connection=conn), to)
        except CommandError as exc:
            raise SchemaRevisionError(f"cannot upgrade to {to}: {exc}") from None
        after = schema_state(conn).revision
        checkpoint("migrate:commit")  # tests: killed before the commit
    checkpoint("migrate:committed")  # tests: killed right after it
    assert after is not None
    return state.revision, after


def downgrade(engine: Engine, to: str) -> tuple[str, str]:
    """Downgrade to `to` (an id or -1), never below the baseline; returns (before, after)."""
    with engine.connect() as conn, conn.begin():
        lock_schema(conn)
        state = schema_state(conn)
        _refuse_unknown(state)
        if state.revision is None or state.legacy:
            raise SchemaRevisionError(
                f"the database is at {state.revision or 'no revision'}: there is nothing to "
                "downgrade above the 0.1.0 baseline"
            )
        target = _relative(state.revision, to) if to.startswith("-") else _target(to)
        if target is None:
            raise SchemaRevisionError(
                f"downgrade to {to} refused: below the baseline {BASELINE_REVISION} there is only "
                "an empty database (drop it yourself if that is what you want)"
            )
        try:
            command.downgrade(alembic_config(connection=conn), target)
        except (CommandError, RuntimeError) as exc:
            raise SchemaRevisionError(str(exc)) from None
        after = schema_state(conn).revision
    assert after is not None
    return state.revision, after


def _relative(revision: str, step: str) -> str | None:
    order = [r.revision for r in history()]
    index = order.index(revision) - int(step[1:])
    return order[index] if index >= 0 else None


def upgrade_sql(engine: Engine, to: str = "head", out: TextIO | None = None) -> str | None:
    """Write the SQL that `upgrade(engine, to)` would run to `out`, changing nothing; returns
    the database's revision (the script starts there)."""
    with engine.connect() as conn:
        state = schema_state(conn)
    _refuse_unknown(state)
    cfg = alembic_config(dialect=engine.dialect.name, out=out)
    try:
        if state.revision is None:
            command.upgrade(cfg, to, sql=True)
        else:
            if state.legacy:
                command.stamp(cfg, BASELINE_REVISION, sql=True)
            command.upgrade(cfg, f"{state.revision}:{to}", sql=True)
    except CommandError as exc:
        raise SchemaRevisionError(f"cannot upgrade to {to}: {exc}") from None
    return state.revision
