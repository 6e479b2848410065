"""Bulk frame I/O: read a query into a Polars frame, append a frame to a table.

PostgreSQL uses COPY in both directions (CSV through psycopg 3, inside the caller's transaction);
SQLite uses one prepared statement over all rows (`executemany`) on the same connection. Column
types come from the table definitions, so a frame read from either database has the same schema:
money and ids Int64, dates Date, timestamps Datetime, JSON columns as JSON text (Utf8).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
import pyarrow as pa
from sqlalchemy import JSON, BigInteger, Boolean, Connection, Date, DateTime, Integer, Table
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeEngine

from paymentprocess.logs import get_logger
from paymentprocess.storage.database import is_sqlite

log = get_logger(__name__)

BATCH_ROWS_OPTION = "batch_rows"  # execution option: rows per write call (PAYMENT_BATCH_SIZE)
DEFAULT_BATCH_ROWS = 1000
_NULL = r"\N"  # COPY's NULL marker: tells NULL from the empty string


def polars_dtype(sa_type: TypeEngine[Any]) -> pl.DataType:
    """The Polars dtype a column of this SQLAlchemy type is read as."""
    if isinstance(sa_type, BigInteger | Integer):
        return pl.Int64()
    if isinstance(sa_type, Boolean):
        return pl.Boolean()
    if isinstance(sa_type, DateTime):
        return pl.Datetime("us")
    if isinstance(sa_type, Date):
        return pl.Date()
    return pl.String()


def table_schema(table: Table, columns: Iterable[str] | None = None) -> dict[str, pl.DataType]:
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    return {name: polars_dtype(table.c[name].type) for name in names}


def read_frame(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Run `query` and return its rows as a frame with exactly `schema` (names in order)."""
    if is_sqlite(conn):
        return _read_sqlite(conn, query, schema)
    return _read_postgres(conn, query, schema)


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
    """
    spent = timings if timings is not None else {}
    reader = _side_reader(conn) if len(queries) > 1 and (large or not is_sqlite(conn)) else None
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


_Reader = Callable[[Select[Any], dict[str, pl.DataType]], pl.DataFrame | None]


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


def _side_reader(conn: Connection) -> _Reader | None:
    """A thread-safe reader that sees what `conn` sees, on connections of its own."""
    if is_sqlite(conn):
        path = _sqlite_file(conn)
        if path is None:
            return None
        dialect = conn.dialect

        def read_file(query: Select[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
            sql, params = _positional(query, dialect)
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
            frame = read_frame(reader, query, schema)
            reader.rollback()
        return frame

    return read_snapshot


def _positional(query: Select[Any], dialect: Any) -> tuple[str, list[Any]]:
    compiled = query.compile(dialect=dialect)
    params = compiled.construct_params()
    return str(compiled), [params[name] for name in compiled.positiontup or []]


def _read_sqlite(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    sql, positional = _positional(query, conn.dialect)
    raw = conn.connection.driver_connection
    assert raw is not None
    rows = raw.execute(sql, positional).fetchall()
    frame = pl.DataFrame(rows, schema=_as_stored(schema), orient="row")
    return _parse_temporal(frame, schema)


def _as_stored(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """The schema as SQLite returns it: dates and timestamps are ISO text there."""
    return {
        n: (pl.String() if t in (pl.Date(), pl.Datetime("us")) else t) for n, t in schema.items()
    }


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
    stored = frame.with_columns(pl.col(n).cast(t) for n, t in _as_stored(schema).items())
    return _parse_temporal(stored, schema)


def _read_postgres(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    compiled = query.compile(dialect=conn.dialect)
    raw = conn.connection.driver_connection
    assert raw is not None
    buf = io.BytesIO()
    with (
        raw.cursor() as cur,
        cur.copy(
            f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER false, NULL '{_NULL}')",
            compiled.params,
        ) as copy,
    ):
        for block in copy:
            buf.write(block)
    if buf.tell() == 0:
        return pl.DataFrame(schema=schema)
    buf.seek(0)
    text_schema = {n: (pl.String() if t == pl.Boolean() else t) for n, t in schema.items()}
    frame = pl.read_csv(
        buf,
        has_header=False,
        new_columns=list(schema),
        schema=text_schema,
        empty_string_is_null=False,
        null_values=[_NULL],
        try_parse_dates=False,
    )
    bools = [n for n, t in schema.items() if t == pl.Boolean()]
    if bools:
        frame = frame.with_columns(pl.col(b) == "t" for b in bools)
    return frame


def _parse_temporal(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        if dtype == pl.Date():
            exprs.append(pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=True))
        elif dtype == pl.Datetime("us"):
            exprs.append(pl.col(name).str.to_datetime(strict=True, time_unit="us"))
    return frame.with_columns(exprs) if exprs else frame


def write_frame(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Append every row of `frame` to `table` (columns matched by name); returns the row count.

    The rows go in batches of the connection's `batch_rows` execution option (PAYMENT_BATCH_SIZE,
    set on the engine by the CLI; DEFAULT_BATCH_ROWS otherwise): one `executemany` per batch on
    SQLite, one COPY data message per batch on PostgreSQL, all inside the caller's transaction.
    A debug log line `bulk_write` gives the table, rows and batches."""
    if frame.height == 0:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    frame = _to_storage_text(frame.select(columns), table)
    rows = int(conn.get_execution_options().get(BATCH_ROWS_OPTION, DEFAULT_BATCH_ROWS))
    if is_sqlite(conn):
        batches = _write_sqlite(conn, table, frame, rows)
    else:
        batches = _write_postgres(conn, table, frame, rows)
    log.debug("bulk_write", table=table.name, rows=frame.height, batches=batches)
    return frame.height


def _to_storage_text(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """Dates and timestamps as ISO text, JSON columns as JSON text, booleans as 0/1 (SQLite)."""
    exprs = []
    for name in frame.columns:
        col_type = table.c[name].type
        dtype = frame.schema[name]
        if isinstance(col_type, JSON) and dtype != pl.String():
            exprs.append(
                pl.col(name).map_elements(json.dumps, return_dtype=pl.String, skip_nulls=True)
            )
        elif isinstance(col_type, DateTime) and dtype != pl.String():
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
        elif isinstance(col_type, Date) and dtype != pl.String():
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(col_type, Boolean):
            exprs.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(exprs) if exprs else frame


def _write_sqlite(conn: Connection, table: Table, frame: pl.DataFrame, rows: int) -> int:
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'
    batches = 0
    for chunk in frame.iter_slices(rows):
        raw.executemany(sql, chunk.iter_rows())
        batches += 1
    return batches


def _write_postgres(conn: Connection, table: Table, frame: pl.DataFrame, rows: int) -> int:
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    batches = 0
    with (
        raw.cursor() as cur,
        cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN WITH (FORMAT csv)') as copy,
    ):
        for chunk in frame.iter_slices(rows):
            copy.write(
                chunk.write_csv(include_header=False, null_value="", quote_style="non_numeric")
            )
            batches += 1
    return batches
