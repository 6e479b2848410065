"""Several read-only queries side by side, as of ONE snapshot (the `load` stage's seven frames).

PostgreSQL: the caller's transaction exports its snapshot and reader connections import it.
SQLite (a database file): reader processes (storage/sqlite_reader.py, ADBC into Arrow IPC).
Otherwise the reads run on the caller's connection, one after the other (`frames_read`).
docs/architecture.md, "Bulk reads side by side", says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
import pyarrow as pa
from sqlalchemy import Connection
from sqlalchemy.sql import Select

from paymentprocess.logs import get_logger
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_read import positional_sql, read_frame
from paymentprocess.storage.frames_schema import as_stored, parse_temporal

log = get_logger(__name__)

FrameQuery = tuple[Select[Any], dict[str, pl.DataType]]

PARALLEL_READERS = 3

# Memory for each sort or hash of a bulk read: the 1M-claim cycle's join hashes ~50 MB of claim
# ids; with PostgreSQL's default 4 MB it spills to 8 temporary batches and takes twice as long.
READ_WORK_MEM = "256MB"


def read_frames(
    conn: Connection,
    queries: Mapping[str, FrameQuery],
    timings: dict[str, int] | None = None,
    *,
    large: bool = True,
    planner: Mapping[str, str] | None = None,
    reader: Reader | None = None,
) -> dict[str, pl.DataFrame]:
    """Run several read-only queries side by side, as of ONE snapshot; `timings` receives each
    read's own milliseconds (they overlap). The caller must not have written anything these reads
    should see: they run on other connections (a run's `load` stage writes nothing).

    PostgreSQL: the caller's transaction exports its snapshot (`pg_export_snapshot`) and up to
    three more connections import it (`SET TRANSACTION SNAPSHOT`, REPEATABLE READ, READ ONLY), so
    the reads run in separate server processes and — unlike statements run one after the other
    in READ COMMITTED — see exactly the same committed data. SQLite (a database file): ADBC
    reader processes (storage/sqlite_reader.py) read side by side when the reads are `large` —
    each costs about half a second to start; the run's write lock (BEGIN IMMEDIATE) keeps every
    writer out meanwhile, so they see what the caller sees. Small reads, and an in-memory SQLite
    database, are read on the caller's connection, one query after the other.

    `planner`: PostgreSQL settings (`SET LOCAL name = value`) for the reader connections, e.g.
    `{"enable_nestloop": "off"}` for reads whose row estimates can mislead the planner into
    rescanning a subquery per row; the caller sets them on its own connection itself.

    `reader` (`side_reader`): several calls read as of the snapshot it was made at (the
    partitions of one run); without it each call exports the caller's current snapshot.
    """
    spent = timings if timings is not None else {}
    side = len(queries) > 1 and (large or not is_sqlite(conn))
    if not side:
        reader = None
    elif reader is None:
        reader = side_reader(conn, planner or {})
    if reader is None:
        return {name: _timed(spent, name, read_frame, conn, *fq) for name, fq in queries.items()}
    workers = min(PARALLEL_READERS, len(queries))
    with ThreadPoolExecutor(workers, thread_name_prefix="pp-read") as pool:
        futures = {
            name: pool.submit(_timed, spent, name, reader, *fq) for name, fq in queries.items()
        }
        read = {name: future.result() for name, future in futures.items()}
    return {
        name: frame if frame is not None else _timed(spent, name, read_frame, conn, *queries[name])
        for name, frame in read.items()
    }


Reader = Callable[[Select[Any], dict[str, pl.DataType]], pl.DataFrame | None]


def _timed(
    spent: dict[str, int],
    name: str,
    reader: Callable[..., pl.DataFrame | None],
    *args: Any,
) -> Any:
    start = time.perf_counter()
    frame = reader(*args)
    spent[name] = round((time.perf_counter() - start) * 1000)
    return frame


def side_reader(conn: Connection, planner: Mapping[str, str] | None = None) -> Reader | None:
    """A thread-safe reader that sees what `conn` sees now, on connections of its own (None
    where reads must run on `conn`: an in-memory or `file:` SQLite database)."""
    planner = planner or {}
    if is_sqlite(conn):
        path = _sqlite_file(conn)
        if path is None:
            return None
        dialect = conn.dialect

        def read_file(query: Select[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
            sql, params = positional_sql(query, dialect)
            return _read_sqlite_arrow(path, sql, params, schema)

        return read_file
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    engine = conn.engine

    def read_snapshot(query: Select[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
        with engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as reader:
            reader.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            reader.exec_driver_sql(f"SET LOCAL work_mem = '{READ_WORK_MEM}'")
            for name, value in planner.items():
                reader.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
            frame = read_frame(reader, query, schema)
            reader.rollback()
        return frame

    return read_snapshot


def _sqlite_file(conn: Connection) -> str | None:
    """The database file of a plain file URI (not `:memory:`, not a `file:` URI), else None."""
    name = conn.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return name if os.path.isfile(name) else None


def _read_sqlite_arrow(
    path: str, sql: str, params: list[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame | None:
    """Read through a reader process (storage/sqlite_reader.py: ADBC, Arrow IPC); None when it
    cannot (the caller then reads on its own connection)."""
    if not all(isinstance(p, str | int | None) for p in params):
        return None
    fd, out = tempfile.mkstemp(prefix="pp-read-", suffix=".arrow")
    os.close(fd)
    try:
        done = subprocess.run(  # noqa: S603 - our own module, arguments are not shell-parsed
            [sys.executable, "-m", "paymentprocess.storage.sqlite_reader", path, out],
            input=json.dumps({"sql": sql, "params": params}).encode(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            log.warning("sqlite_reader_failed", reason=done.stderr.decode(errors="replace")[-500:])
            return None
        with pa.OSFile(out, "rb") as source:  # read into memory: the file goes right away
            table = pa.ipc.open_file(source).read_all()
    finally:
        os.unlink(out)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame.columns = list(schema)
    stored = frame.with_columns(pl.col(n).cast(t) for n, t in as_stored(schema).items())
    return parse_temporal(stored, schema)
