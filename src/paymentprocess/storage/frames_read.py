"""Read one query into a Polars frame with exactly the schema asked for, on the caller's connection.

PostgreSQL: `COPY (query) TO STDOUT` as CSV through psycopg 3, inside the caller's transaction
(`\\N` marks NULL, so NULL and the empty string stay apart). SQLite: the driver's rows of the
compiled statement, ISO dates and timestamps parsed (`frames_schema`). Several reads side by side,
as of one snapshot, are `frames_side_by_side.read_frames`.
"""

from __future__ import annotations

import io
import select
from typing import Any

import polars as pl
import psycopg
from psycopg import pq
from sqlalchemy import Connection
from sqlalchemy.sql import Select

from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_schema import as_stored, parse_temporal

_NULL = r"\N"  # COPY's NULL marker: tells NULL from the empty string


def read_frame(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Run `query` and return its rows as a frame with exactly `schema` (names in order)."""
    if is_sqlite(conn):
        return _read_sqlite(conn, query, schema)
    return _read_postgres(conn, query, schema)


def positional_sql(query: Select[Any], dialect: Any) -> tuple[str, list[Any]]:
    """The SQL text of `query` for `dialect` and its parameters in placeholder order."""
    compiled = query.compile(dialect=dialect)
    params = compiled.construct_params()
    return str(compiled), [params[name] for name in compiled.positiontup or []]


def _read_sqlite(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    sql, positional = positional_sql(query, conn.dialect)
    raw = conn.connection.driver_connection
    assert raw is not None
    rows = raw.execute(sql, positional).fetchall()
    frame = pl.DataFrame(rows, schema=as_stored(schema), orient="row")
    return parse_temporal(frame, schema)


def _read_postgres(
    conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    compiled = query.compile(dialect=conn.dialect)
    raw = conn.connection.driver_connection
    assert raw is not None
    data = copy_out(
        raw,
        f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER false, NULL '{_NULL}')",
        compiled.params,
    )
    if data.tell() == 0:
        return pl.DataFrame(schema=schema)
    buf = data
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


def copy_out(raw: psycopg.Connection[Any], statement: str, params: Any = None) -> io.BytesIO:
    """The whole output of `COPY … TO STDOUT` `statement` (parameters merged client side, as
    psycopg's own `Cursor.copy` does for COPY) on `raw`, inside its current transaction.

    PostgreSQL sends one CopyData message per row; psycopg's `Copy` iterator hands them over
    through a generator and a wait per row, which for the millions of rows of a large read costs
    more than the query (and holds the GIL that side-by-side readers share). This drains them in
    one loop over libpq's own calls (`psycopg.pq`), waiting on the socket only when none is
    buffered."""
    query = psycopg.ClientCursor(raw).mogrify(statement, params)
    pgconn = raw.pgconn
    encoding = raw.info.encoding
    pgconn.send_query(query.encode(encoding))
    result = _next_result(pgconn)
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        _drain_results(pgconn, result, encoding)
        raise psycopg.ProgrammingError(f"not a COPY TO STDOUT: {statement[:80]}")
    out = io.BytesIO()
    write = out.write
    while True:
        size, block = pgconn.get_copy_data(1)
        if size > 0:
            write(block)
        elif size == 0:
            _wait_readable(pgconn)
            pgconn.consume_input()
        else:
            break
    _drain_results(pgconn, _next_result(pgconn), encoding)
    return out


def _wait_readable(pgconn: pq.abc.PGconn) -> None:
    select.select([pgconn.socket], [], [])


def _next_result(pgconn: pq.abc.PGconn) -> pq.abc.PGresult | None:
    pgconn.consume_input()
    while pgconn.is_busy():
        _wait_readable(pgconn)
        pgconn.consume_input()
    return pgconn.get_result()


def _drain_results(pgconn: pq.abc.PGconn, result: pq.abc.PGresult | None, encoding: str) -> None:
    """Read every result left of the statement; raise the first error among them."""
    error = None
    while result is not None:
        if error is None and result.status not in (
            pq.ExecStatus.COMMAND_OK,
            pq.ExecStatus.COPY_OUT,
        ):
            error = psycopg.errors.error_from_result(result, encoding=encoding)
        result = _next_result(pgconn)
    if error is not None:
        raise error
