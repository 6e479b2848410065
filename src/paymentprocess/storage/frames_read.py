"""Read one query into a Polars frame with exactly the schema asked for, on the caller's connection.

PostgreSQL: `COPY (query) TO STDOUT` as CSV through psycopg 3, inside the caller's transaction
(`\\N` marks NULL, so NULL and the empty string stay apart). SQLite: the driver's rows of the
compiled statement, ISO dates and timestamps parsed (`frames_schema`). Several reads side by side,
as of one snapshot, are `frames_side_by_side.read_frames`.
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
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
