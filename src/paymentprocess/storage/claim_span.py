"""A claim's service span in days, `COALESCE(service_end_date, service_begin_date) - begin`.

The claim list's date range matches claims whose service period overlaps it; its lower bound,
`COALESCE(service_end_date, service_begin_date) >= start`, cannot bound an index range on
`(provider, service_begin_date)` by itself. With the largest span `M` of the provider's claims
it can: every match has `service_begin_date >= start - M`. `service_span_days(begin, end)` is that
span as one SQL expression per dialect (PostgreSQL subtracts dates; SQLite subtracts Julian day
numbers), used both in the indexes `(tax_id, span)` / `(npi, span)` of `claim_fin_core` and in the
query that reads `M` from them, so the two compile to the same text and the index answers the
query with one lookup. Writers need not know about it: the database computes the index entries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class service_span_days(FunctionElement[int]):  # noqa: N801 - reads as an SQL function
    """`service_span_days(begin, end)`: days from begin to `COALESCE(end, begin)` (NULL begin → NULL)."""

    type = Integer()
    name = "service_span_days"
    inherit_cache = True

    def __init__(self, begin: ColumnElement[Any], end: ColumnElement[Any]) -> None:
        super().__init__(begin, end)


def _parts(element: service_span_days, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    begin, end = element.clauses.clauses
    return compiler.process(begin, **kw), compiler.process(end, **kw)


@compiles(service_span_days)
def _span_default(element: service_span_days, compiler: SQLCompiler, **kw: Any) -> str:
    begin, end = _parts(element, compiler, **kw)
    return f"(COALESCE({end}, {begin}) - {begin})"


@compiles(service_span_days, "sqlite")
def _span_sqlite(element: service_span_days, compiler: SQLCompiler, **kw: Any) -> str:
    begin, end = _parts(element, compiler, **kw)
    return f"CAST(julianday(COALESCE({end}, {begin})) - julianday({begin}) AS INTEGER)"
