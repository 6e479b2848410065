"""Engines, schema creation and units of work for SQLite and PostgreSQL.

`create_engine_for(uri)` builds an engine (psycopg 3 for PostgreSQL; WAL, a busy timeout and
`BEGIN IMMEDIATE` for writing transactions on SQLite). `ensure_schema(engine)` creates every table
on first use and is a no-op afterwards. `unit_of_work(engine)` yields a connection inside one
transaction that rolls back unless `commit()` is called: helpers never commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select
from sqlalchemy.exc import OperationalError

from paymentprocess.config import redact_uri
from paymentprocess.errors import SettingsError
from paymentprocess.storage.claim_counts import ensure_claim_counts
from paymentprocess.storage.tables import SCHEMA_VERSION, VIEWS, metadata, schema_version

SQLITE_BUSY_TIMEOUT_MS = 30_000


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


def ensure_schema(engine: Engine) -> None:
    """Create every table and index that is missing; record the schema version once."""
    try:
        with engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
            _create_views(conn)
            ensure_claim_counts(conn)
            have = conn.execute(select(schema_version.c.version)).scalars().all()
            if SCHEMA_VERSION not in have:
                conn.execute(
                    insert(schema_version).values(version=SCHEMA_VERSION, applied_at=utcnow())
                )
    except OperationalError as exc:
        raise SettingsError(
            f"cannot open the database {redact_uri(str(engine.url.render_as_string()))}: "
            f"{type(exc.orig).__name__ if exc.orig else 'error'}: "
            f"{redact_uri(str(exc.orig)).strip().splitlines()[0] if exc.orig else exc}"
        ) from None


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
