"""Engines, schema creation and units of work for SQLite and PostgreSQL.

`create_engine_for(uri)` builds an engine (psycopg 3 for PostgreSQL; WAL, a busy timeout and
`BEGIN IMMEDIATE` for writing transactions on SQLite). `ensure_schema(engine)` creates every table
of a new, empty database at the head revision (and stamps it so), accepts a database at that
revision, and refuses one at any other revision with a message naming `paymentprocess db upgrade`
and both revisions: a schema is only ever changed by `storage.migrate` (Alembic, imported only
then). `unit_of_work(engine)` yields a connection inside one transaction that rolls back unless
`commit()` is called: helpers never commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import OperationalError

from paymentprocess.config import redact_uri
from paymentprocess.errors import SchemaRevisionError, SettingsError
from paymentprocess.storage.claim_counts import ensure_claim_counts
from paymentprocess.storage.tables import AUDIT_TRIGGERS, SCHEMA_REVISION, VIEWS, metadata

SQLITE_BUSY_TIMEOUT_MS = 30_000

BASELINE_REVISION = (
    "0001"  # the 0.1.0 schema (commit 10bb9e9), recorded by 0.1.0 as schema_version 1
)
SCHEMA_LOCK = 0x53434845  # PostgreSQL advisory lock key of schema creation and upgrades ("SCHE")

# Alembic's own record of the revision (its default table), written here when a new database is
# created at head so that creating one never needs Alembic. Not part of `metadata`.
alembic_version = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def sqlalchemy_url(uri: str) -> str:
    """The SQLAlchemy URL for a product URI (`postgresql://` uses the psycopg 3 driver)."""
    if uri.startswith("postgresql://"):
        return "postgresql+psycopg://" + uri[len("postgresql://") :]
    if uri.startswith("postgres://"):
        return "postgresql+psycopg://" + uri[len("postgres://") :]
    return uri


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def tables_with_rows(conn: Connection, names: Iterable[str]) -> list[str]:
    """Those of the tables `names` that hold at least one row (in the order given)."""
    return [
        name
        for name in names
        if conn.execute(select(metadata.tables[name]).limit(1)).first() is not None
    ]


def create_engine_for(uri: str, *, pool_size: int = 5) -> Engine:
    """An engine for `uri`; SQLite gets pragmas for a concurrent, crash-safe embedded store."""
    url = sqlalchemy_url(uri)
    if url.startswith("sqlite"):
        # A pool of connections (each with its PRAGMAs set once); SQLite serialises writers itself.
        engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=False)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_on_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.execute("PRAGMA cache_size = -200000")
    cur.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write", True) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: its revision (None: none of the product's tables exist yet) and
    whether that revision is only implied by 0.1.0's `schema_version` table (no alembic_version)."""

    revision: str | None
    legacy: bool = False


def schema_state(conn: Connection) -> SchemaState:
    """The database's schema revision, read without Alembic (two small queries)."""
    names = set(inspect(conn).get_table_names())
    if alembic_version.name in names:
        heads = conn.execute(select(alembic_version.c.version_num)).scalars().all()
        return SchemaState(",".join(sorted(heads)) or "none")
    if "schema_version" in names:
        versions = conn.exec_driver_sql("SELECT version FROM schema_version").scalars().all()
        if list(versions) == [1]:
            return SchemaState(BASELINE_REVISION, legacy=True)
        return SchemaState(f"schema_version {sorted(versions)}", legacy=True)
    if names & set(metadata.tables):
        return SchemaState("unrecorded")
    return SchemaState(None)


def lock_schema(conn: Connection) -> None:
    """PostgreSQL: one schema writer at a time (creation, upgrade), until the transaction ends.
    SQLite needs nothing: a writing transaction holds the database's write lock already."""
    if not is_sqlite(conn):
        conn.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))


def ensure_schema(engine: Engine) -> None:
    """A new, empty database gets every table at the head revision; a database at the head is
    accepted; any other revision is refused (SchemaRevisionError): only `db upgrade` changes it."""
    try:
        with engine.begin() as conn:
            lock_schema(conn)
            state = schema_state(conn)
            if state.revision is None:
                create_at_head(conn)
                return
            if state.revision == SCHEMA_REVISION:
                ensure_claim_counts(conn)
                return
    except OperationalError as exc:
        raise SettingsError(
            f"cannot open the database {redact_uri(str(engine.url.render_as_string()))}: "
            f"{type(exc.orig).__name__ if exc.orig else 'error'}: "
            f"{redact_uri(str(exc.orig)).strip().splitlines()[0] if exc.orig else exc}"
        ) from None
    raise SchemaRevisionError(outdated_message(state.revision))


def outdated_message(revision: str) -> str:
    """Why a database at `revision` is refused, and what to do (names both revisions)."""
    from paymentprocess.storage.migrate import known_revisions

    if revision in known_revisions():
        return (
            f"the database is at schema revision {revision}, this version of paymentprocess "
            f"needs revision {SCHEMA_REVISION} (head); nothing was changed. Back the database up, "
            "then run `paymentprocess db upgrade` (see docs/upgrading.md)"
        )
    return (
        f"the database is at schema revision {revision}, which this version of paymentprocess "
        f"does not know (its head is {SCHEMA_REVISION}): it was made or upgraded by another "
        "version; use that version, or see `paymentprocess db current` and docs/upgrading.md"
    )


def create_at_head(conn: Connection) -> None:
    """Every table, view, index and trigger of the head revision in an empty database, stamped
    with that revision (what running every migration gives; tests compare the two)."""
    metadata.create_all(conn, checkfirst=True)
    _create_views(conn)
    for ddl in AUDIT_TRIGGERS["sqlite" if is_sqlite(conn) else "postgresql"]:
        conn.exec_driver_sql(ddl)
    ensure_claim_counts(conn)
    alembic_version.create(conn, checkfirst=True)
    conn.execute(insert(alembic_version).values(version_num=SCHEMA_REVISION))


def _create_views(conn: Connection) -> None:
    existing = set(inspect(conn).get_view_names())
    for name, ddl in VIEWS.items():
        if name not in existing:
            conn.exec_driver_sql(ddl)


class UnitOfWork:
    """A connection in one transaction: nothing is kept unless `commit()` is called."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.committed = False

    def commit(self) -> None:
        self.conn.commit()
        self.committed = True


@contextlib.contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[UnitOfWork]:
    """One transaction; rolled back on exit unless committed (SQLite: IMMEDIATE when `write`)."""
    with engine.connect() as raw_conn:
        conn = raw_conn.execution_options(write=write)
        conn.begin()
        uow = UnitOfWork(conn)
        try:
            yield uow
        finally:
            if not uow.committed:
                conn.rollback()


def analyze(conn: Connection, tables: list[str]) -> None:
    """Refresh the planner's statistics after a bulk write (PostgreSQL plans joins of millions of
    rows badly until autovacuum gets round to it). Runs inside the caller's transaction."""
    if is_sqlite(conn):
        return  # SQLite's planner uses its indexes without statistics; ANALYZE there is optional
    for name in tables:
        conn.exec_driver_sql(f'ANALYZE "{name}"')


def utcnow() -> datetime:
    """Now in UTC without tzinfo (stored as a naive UTC timestamp on both databases)."""
    return datetime.now(UTC).replace(tzinfo=None)
