"""How table columns map to Polars frames and back: dtypes, and the text SQLite stores.

Column types come from the table definitions, so a frame read from either database has the same
schema: money and ids Int64, dates Date, timestamps Datetime, JSON columns as JSON text (Utf8).
SQLite returns dates and timestamps as ISO text (`as_stored`, then `parse_temporal`); a frame is
written with dates, timestamps and JSON as text and booleans as 0/1 (`to_storage_text`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import polars as pl
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, Table
from sqlalchemy.types import TypeEngine


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
    """The frame schema of `table` (or of its `columns`, in that order)."""
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    return {name: polars_dtype(table.c[name].type) for name in names}


def as_stored(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """The schema as SQLite returns it: dates and timestamps are ISO text there."""
    return {
        n: (pl.String() if t in (pl.Date(), pl.Datetime("us")) else t) for n, t in schema.items()
    }


def parse_temporal(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with the ISO text of its Date and Datetime columns (by `schema`) parsed."""
    exprs = []
    for name, dtype in schema.items():
        if dtype == pl.Date():
            exprs.append(pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=True))
        elif dtype == pl.Datetime("us"):
            exprs.append(pl.col(name).str.to_datetime(strict=True, time_unit="us"))
    return frame.with_columns(exprs) if exprs else frame


def to_storage_text(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
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
