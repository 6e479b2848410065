"""Append a Polars frame to a table, in batches, inside the caller's transaction.

PostgreSQL: `COPY table (columns) FROM STDIN` as CSV through psycopg 3, one data message per
batch. SQLite: one prepared INSERT over all rows (`executemany`), one call per batch. The batch
size is the connection's `batch_rows` execution option (PAYMENT_BATCH_SIZE).
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, Table

from paymentprocess.logs import get_logger
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_schema import to_storage_text

log = get_logger(__name__)

BATCH_ROWS_OPTION = "batch_rows"  # execution option: rows per write call (PAYMENT_BATCH_SIZE)

DEFAULT_BATCH_ROWS = 1000


def write_frame(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Append every row of `frame` to `table` (columns matched by name); returns the row count.

    The rows go in batches of the connection's `batch_rows` execution option (PAYMENT_BATCH_SIZE,
    set on the engine by the CLI; DEFAULT_BATCH_ROWS otherwise): one `executemany` per batch on
    SQLite, one COPY data message per batch on PostgreSQL, all inside the caller's transaction.
    A debug log line `bulk_write` gives the table, rows and batches."""
    if frame.height == 0:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    frame = to_storage_text(frame.select(columns), table)
    rows = int(conn.get_execution_options().get(BATCH_ROWS_OPTION, DEFAULT_BATCH_ROWS))
    if is_sqlite(conn):
        batches = _write_sqlite(conn, table, frame, rows)
    else:
        batches = _write_postgres(conn, table, frame, rows)
    log.debug("bulk_write", table=table.name, rows=frame.height, batches=batches)
    return frame.height


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
