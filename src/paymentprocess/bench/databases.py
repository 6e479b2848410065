"""Throwaway databases for benchmarks that need an empty one, removed afterwards.

`throwaway_database(base_uri, label)` yields the URI of a new, empty database with the product's
schema: on PostgreSQL a database created next to the one `base_uri` names (same server and
credentials; `CREATE DATABASE` through a connection to the base database, `DROP DATABASE … WITH
(FORCE)` afterwards, even when the benchmark fails); on SQLite a file in a new temporary
directory beside the base file (the same disk the product would use), deleted afterwards. Names
carry the process id and random characters, so concurrent benchmarks never meet.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from paymentprocess.storage.database import create_engine_for, ensure_schema, sqlalchemy_url


def is_sqlite_uri(uri: str) -> bool:
    return uri.startswith("sqlite")


def _sqlite_dir(base_uri: str) -> Path:
    database = make_url(base_uri).database
    if database and database != ":memory:":
        parent = Path(database).expanduser().resolve().parent
        if parent.is_dir() and os.access(parent, os.W_OK):
            return parent
    return Path(tempfile.gettempdir())


def _libpq(uri: str, database: str | None = None) -> str:
    url = make_url(sqlalchemy_url(uri)).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@contextmanager
def throwaway_database(base_uri: str, label: str) -> Iterator[str]:
    """A fresh schema-ready database beside `base_uri`; dropped (or deleted) on exit."""
    if is_sqlite_uri(base_uri):
        directory = tempfile.mkdtemp(prefix=".pp-bench-", dir=_sqlite_dir(base_uri))
        try:
            uri = f"sqlite:///{Path(directory) / f'{label}.db'}"
            _prepare(uri)
            yield uri
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    name = f"pp_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_libpq(base_uri), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        uri = _libpq(base_uri, name)
        _prepare(uri)
        yield uri
    finally:
        with psycopg.connect(_libpq(base_uri), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepare(uri: str) -> None:
    engine = create_engine_for(uri)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
