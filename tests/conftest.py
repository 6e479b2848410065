"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

`db_uri` is parametrized over both databases. SQLite gets a fresh file per test. PostgreSQL gets
one fresh database per test session (named after the process, so parallel sessions never meet)
and every table is truncated before each test. PostgreSQL is skipped when unreachable, except
under CI=true, where an unreachable PostgreSQL fails the test.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from paymentprocess.storage.database import create_engine_for, ensure_schema
from paymentprocess.storage.tables import metadata

PG_ADMIN = os.environ.get("PAYMENT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def pg_session_uri() -> Iterator[str]:
    problem = _pg_available()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable ({problem}); set CI=true to make this a failure")
    with _fresh_pg_database(f"pp_test_{os.getpid()}_{uuid.uuid4().hex[:6]}") as uri:
        yield uri


@contextlib.contextmanager
def _fresh_pg_database(name: str) -> Iterator[str]:
    """A new, schema-ready PostgreSQL database `name` (dropped first if a crash left it), then
    dropped."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    uri = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    engine = create_engine_for(uri)
    ensure_schema(engine)
    engine.dispose()
    try:
        yield uri
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(uri: str) -> None:
    engine = create_engine_for(uri)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "schema_version")
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, schema-ready database URI: SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'test.db'}"
        engine = create_engine_for(uri)
        ensure_schema(engine)
        engine.dispose()
        return uri
    uri = request.getfixturevalue("pg_session_uri")
    _truncate_all(uri)
    return uri


@pytest.fixture
def engine(db_uri: str) -> Iterator[Engine]:
    eng = create_engine_for(db_uri)
    yield eng
    eng.dispose()


@pytest.fixture
def copy_db_uri(db_uri: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh, schema-ready database of the same kind as `db_uri` (to load a copy into)."""
    if db_uri.startswith("sqlite"):
        uri = f"sqlite:///{tmp_path / 'copy.db'}"
        engine = create_engine_for(uri)
        ensure_schema(engine)
        engine.dispose()
        yield uri
        return
    with _fresh_pg_database(f"{db_uri.rsplit('/', 1)[1]}_copy") as uri:
        yield uri


REDIS_URL = os.environ.get("PAYMENT_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the machine's Redis (REDIS_URL); every key under it is
    deleted afterwards (never FLUSHDB: the Redis is shared). Skipped when Redis is unreachable,
    except under CI=true, where that fails the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required in CI and is unreachable: {exc}")
        pytest.skip(f"Redis unreachable ({exc}); set CI=true to make this a failure")
    prefix = f"pp-test-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
        client.close()
