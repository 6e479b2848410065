"""Helpers of the reliability tests: more databases of the kind under test, the business state
of a database, the CLI in a subprocess, and waiting for a killed client's PostgreSQL backend.

`Databases(db_uri, tmp_path)` makes extra databases of the same kind as the `db_uri` fixture
(SQLite files next to it, or PostgreSQL databases on the same server) — fresh ones and byte-exact
clones — and drops them at the end. `business_state(engine)` is every row of every table with
only the columns that carry no business meaning left out: wall-clock timestamps, the run's own
timings, and the surrogate row ids drawn from database sequences (PostgreSQL never rolls a
sequence back, so a crashed transaction may leave a gap there; no money, payee, ledger or check
number comes from them — those come from `sequence_numbers`, inside the transaction, and are
compared exactly).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, DateTime, Engine, make_url, select

from paymentprocess.service.runs import RunOutcome, run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for, ensure_schema

PG_ADMIN = os.environ.get("PAYMENT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CHILD_TAG = "pp-reliability-child"  # PostgreSQL application_name of every child process
SURROGATE_IDS = {
    "audit_id",
    "run_id",
    "backup_id",
    "application_id",
    "stg_id",
    "outbox_id",
    "interest_config_id",
}
VOLATILE_DOCUMENT_KEYS = {"timings_ms", "run_id"}
SIGKILLED = -signal.SIGKILL


def kind_of(uri: str) -> str:
    return "sqlite" if uri.startswith("sqlite") else "postgresql"


def _pg_name(uri: str) -> str:
    name = make_url(uri).database
    assert name
    return name


def _pg_uri(uri: str, name: str) -> str:
    return make_url(uri).set(database=name).render_as_string(hide_password=False)


class Databases:
    """Extra databases of the kind of `db_uri`; everything made here is removed by `close()`."""

    def __init__(self, db_uri: str, tmp_path: Path) -> None:
        self.db_uri, self.tmp_path = db_uri, tmp_path
        self.kind = kind_of(db_uri)
        self._made: list[str] = []

    def _new_name(self) -> str:
        return f"pp_rel_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    def fresh(self) -> str:
        """An empty database with the schema."""
        if self.kind == "sqlite":
            uri = f"sqlite:///{self.tmp_path / (self._new_name() + '.db')}"
        else:
            name = self._new_name()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self._made.append(name)
            uri = _pg_uri(self.db_uri, name)
        engine = create_engine_for(uri)
        ensure_schema(engine)
        engine.dispose()
        return uri

    def clone(self, source: str) -> str:
        """A byte-exact copy of `source` (nobody may be connected to it)."""
        if self.kind == "sqlite":
            src = Path(make_url(source).database or "")
            with sqlite3.connect(src) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            target = self.tmp_path / (self._new_name() + ".db")
            shutil.copyfile(src, target)
            return f"sqlite:///{target}"
        name = self._new_name()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(source)}"')
        self._made.append(name)
        return _pg_uri(self.db_uri, name)

    def close(self) -> None:
        if not self._made:
            return
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in self._made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.clear()


@contextmanager
def databases(db_uri: str, tmp_path: Path) -> Iterator[Databases]:
    dbs = Databases(db_uri, tmp_path)
    try:
        yield dbs
    finally:
        dbs.close()


@contextmanager
def engine_on(uri: str) -> Iterator[Engine]:
    engine = create_engine_for(uri)
    try:
        yield engine
    finally:
        engine.dispose()


def run_job(uri: str, event: str, mode: str) -> Callable[[], RunOutcome]:
    """A run of `event` on its own engine, to be called in a thread."""

    def job() -> RunOutcome:
        with engine_on(uri) as engine:
            return run_payment_event(engine, event, mode)  # type: ignore[arg-type]

    return job


def _normalise(table: str, name: str, value: Any) -> Any:
    if table == "payment_event_stats" and name == "document" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in VOLATILE_DOCUMENT_KEYS}
    if table == "outbox_event" and name == "payload" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "run_id"}  # a run's surrogate id
    return value


def business_state(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table (timestamps, timings and surrogate row ids left out), sorted."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            cols = [
                c
                for c in table.columns
                if not isinstance(c.type, DateTime) and c.name not in SURROGATE_IDS
            ]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = sorted(
                repr(tuple(_normalise(table.name, c.name, v) for c, v in zip(cols, r, strict=True)))
                for r in rows
            )
    return out


def diff(left: Mapping[str, list[Any]], right: Mapping[str, list[Any]]) -> str:
    """A short description of the tables that differ (for assertion messages)."""
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name, []), right.get(name, [])
        if a != b:
            only_a = [r for r in a if r not in b][:3]
            only_b = [r for r in b if r not in a][:3]
            lines.append(
                f"{name}: {len(a)} vs {len(b)} rows; only left {only_a}; only right {only_b}"
            )
    return "\n".join(lines) or "(equal)"


def child_uri(uri: str) -> str:
    """The URI a child process uses: on PostgreSQL tagged with an application_name."""
    if kind_of(uri) == "sqlite":
        return uri
    return (
        make_url(uri)
        .update_query_dict({"application_name": CHILD_TAG})
        .render_as_string(hide_password=False)
    )


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    env.update({"PAYMENT_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **extra})
    return env


def cli_command(uri: str, *args: str, program: Sequence[str] | None = None) -> list[str]:
    """The CLI's command line: this interpreter's module, or `program` (another console script)."""
    start = [sys.executable, "-m", "paymentprocess"] if program is None else list(program)
    return [*start, "--db-uri", child_uri(uri), *args]


def run_cli(
    uri: str, *args: str, cwd: Path, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess (its own working directory, no PAYMENT_* from the test's env)."""
    return subprocess.run(
        cli_command(uri, *args),
        cwd=cwd,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# A child that imports everything first, says "ready", then runs the CLI: random-timing kills
# land in the command's own work, not in Python's start-up.
PRELOADED_CLI = """
import sys
import paymentprocess.cli.main as main
import paymentprocess.service.runs, paymentprocess.engine.pipeline, paymentprocess.io.load
import paymentprocess.io.export, paymentprocess.api.app
main._register()
print("ready", flush=True)
sys.argv = ["paymentprocess", *sys.argv[1:]]
main.app()
"""


def start_preloaded(uri: str, *args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    """Start the CLI preloaded; returns once it printed "ready"."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PRELOADED_CLI, "--db-uri", child_uri(uri), *args],
        cwd=cwd,
        env=child_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == "ready", first + (proc.stderr.read() if proc.stderr else "")
    return proc


def kill_and_reap(proc: subprocess.Popen[str]) -> int:
    """SIGKILL `proc` (if still running); its return code."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    return int(proc.returncode)


def wait_for_backends_gone(uri: str, timeout: float = 60.0) -> None:
    """PostgreSQL: wait until no child backend is left (a killed client's transaction is rolled
    back only when its backend notices the closed socket)."""
    if kind_of(uri) == "sqlite":
        return
    deadline = time.monotonic() + timeout
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        while True:
            left = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
                (CHILD_TAG, _pg_name(uri)),
            ).fetchone()
            if left is not None and left[0] == 0:
                return
            assert time.monotonic() < deadline, "a killed client's backend did not go away"
            time.sleep(0.02)


class WriteProbe:
    """Tells whether a child holds an open writing transaction that is writing rows.

    PostgreSQL: a child backend is running a COPY or INSERT (one monitoring connection is kept
    open, probes are cheap). SQLite: the database write lock is taken (a probe cannot BEGIN
    IMMEDIATE).
    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._pg = None if kind_of(uri) == "sqlite" else psycopg.connect(PG_ADMIN, autocommit=True)

    def writing(self) -> bool:
        if self._pg is None:
            probe = sqlite3.connect(
                make_url(self.uri).database or "", timeout=0, isolation_level=None
            )
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()
        row = self._pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s"
            " AND state = 'active' AND (query ILIKE 'COPY%%' OR query ILIKE 'INSERT%%')",
            (CHILD_TAG, _pg_name(self.uri)),
        ).fetchone()
        return row is not None and row[0] > 0

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()


def row_counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func

    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in t.metadata.sorted_tables
        }


def wipe(engine: Engine) -> None:
    """Delete every row of every table except the schema version (a fresh database, quickly)."""
    with engine.begin() as conn:
        for table in reversed(t.metadata.sorted_tables):
            if table.name == t.audit_log.name:
                empty_audit_log(conn)
            elif table.name != "schema_version":
                conn.execute(table.delete())
        # deleting the claims ran the count triggers after their tables were emptied
        for table in (t.claim_provider_count, t.claim_day_count):
            conn.execute(table.delete())


def empty_audit_log(conn: Connection) -> None:
    """The audit log refuses DELETE (its triggers); the database's owner can still empty it:
    TRUNCATE on PostgreSQL (row triggers do not fire), drop-delete-recreate the triggers on
    SQLite — the boundary is the database credentials (docs/console.md)."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("TRUNCATE audit_log")
        return
    for name in ("audit_log_no_update", "audit_log_no_delete"):
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    conn.execute(t.audit_log.delete())
    for ddl in t.AUDIT_TRIGGERS["sqlite"]:
        conn.exec_driver_sql(ddl)
