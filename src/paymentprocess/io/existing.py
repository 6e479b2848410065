"""Ids that are already in the database: the duplicate check of a load against stored rows.

For every unique key of every collection being loaded, look the loaded values up in the table
(single-column keys in chunks: bound values on SQLite, one array parameter on PostgreSQL;
composite keys of the small tables by reading them; nothing when the table is empty) and name
each record whose id is already stored. Runs inside the load's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, any_, bindparam, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from paymentprocess.errors import RecordProblem
from paymentprocess.io.records import Converted, show_key
from paymentprocess.io.spec import Key
from paymentprocess.storage.database import is_sqlite

CHUNK = 5000  # bound values per query; well below SQLite's limit of 32766
PG_CHUNK = 100_000  # PostgreSQL: one array parameter per query


def _among(conn: Connection, column: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
    """`column IN (...)`: one array parameter on PostgreSQL, bound values on SQLite."""
    if is_sqlite(conn):
        return column.in_(values)
    return column == any_(bindparam("wanted", value=values, type_=ARRAY(column.type)))


def already_stored(conn: Connection, converted: Sequence[Converted]) -> list[RecordProblem]:
    """A problem for each loaded record whose key is already in its table."""
    problems: list[RecordProblem] = []
    for batch in converted:
        for key in batch.collection.keys:
            locations = batch.key_locations.get(key.columns, {})
            if not locations:
                continue
            for values in _stored(conn, batch, key, list(locations)):
                reason = f"{show_key(values)} is already in the database"
                problems.append(RecordProblem(batch.source, locations[values], key.label, reason))
    return problems


def _stored(
    conn: Connection, batch: Converted, key: Key, wanted: list[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """The wanted key values that the table holds, in the order they were loaded."""
    table = batch.collection.table
    if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None:
        return  # an empty table holds nothing twice (the usual first load)
    if len(key.columns) == 1:
        column = table.c[key.columns[0]]
        size = CHUNK if is_sqlite(conn) else PG_CHUNK
        for start in range(0, len(wanted), size):
            chunk = [v[0] for v in wanted[start : start + size]]
            found = set(conn.execute(select(column).where(_among(conn, column, chunk))).scalars())
            yield from ((v,) for v in chunk if v in found)
        return
    stored = {tuple(r) for r in conn.execute(select(*(table.c[c] for c in key.columns)))}
    yield from (v for v in wanted if v in stored)
