"""Build a table's keys and indexes after a bulk load instead of maintaining them row by row.

`keys_built_after(conn, table)`: inside the block `table` has no secondary index and, on
PostgreSQL, no primary key or unique constraint; when the block ends they are created again from
the table definition (same names, same definitions: the schema is exactly the one
`ensure_schema` creates). Sorting and building a B-tree once is several times cheaper than
inserting into it for every row (a COPY of 1.7M claim_day_count rows: 12.0 s with its primary
key, 1.5 s without it plus 2.2 s to add it). SQLite cannot drop a constraint: there only the
indexes go. The caller holds the table against every other writer (`generate` into an empty
database): ALTER TABLE and DROP INDEX take an ACCESS EXCLUSIVE lock on PostgreSQL until commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Index, Table, text

from paymentprocess.storage.database import is_sqlite


def _indexes(table: Table) -> list[Index]:
    return sorted(table.indexes, key=lambda i: str(i.name))


def _keys(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """PostgreSQL: (name, definition) of the table's primary key and unique constraints, as the
    database holds them (SQLAlchemy's AddConstraint/DropConstraint would change the shared
    metadata's CREATE TABLE for every later create_all)."""
    if is_sqlite(conn):
        return []
    rows = conn.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('p', 'u') ORDER BY conname"
        ),
        {"table": table.name},
    )
    return [(str(name), str(definition)) for name, definition in rows]


@contextmanager
def keys_built_after(conn: Connection, table: Table) -> Iterator[None]:
    """Inside: `table` without its indexes (and PostgreSQL: keys); built again at the end."""
    indexes, keys = _indexes(table), _keys(conn, table)
    for index in indexes:
        index.drop(conn)
    for name, _definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{name}"')
    yield
    for name, definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{name}" {definition}')
    for index in indexes:
        index.create(conn)
