"""The SQL of the claim list: statements built once per shape, with bound values.

A shape is TIN or NPI, which range bounds are given, whether negative spans need subtracting and
the page direction (`listing_filter.shape`); the bound parameters are provider, start, end, low
(`start - M`), the cursor's key (k_begin, k_id) and n. `span_bounds_statement` reads the
provider's longest and shortest service span; `total_statement` counts the matches from the
maintained counts (storage.claim_counts); `page_statement` returns a page's claims, their lines,
the total and whether rows lie behind the cursor, in one statement. docs/claims-service.md, "How
the query stays fast", says why each is written as it is.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.sql import ColumnElement, Select

from paymentprocess.service.claims.cursor import Direction
from paymentprocess.service.claims.read import HEADER_COLUMNS, LINE_COLUMNS
from paymentprocess.storage.claim_span import service_span_days
from paymentprocess.storage.tables import (
    claim_day_count,
    claim_fin_core,
    claim_provider_count,
    service_line,
)

_c = claim_fin_core.c

_SPAN = service_span_days(_c.service_begin_date, _c.service_end_date)

_ORDER_KEY = tuple_(_c.service_begin_date, _c.claim_core_id)

_EFFECTIVE_END = func.coalesce(_c.service_end_date, _c.service_begin_date)


def _provider(kind: str) -> ColumnElement[bool]:
    return (_c.tax_id if kind == "tin" else _c.npi) == bindparam("provider", type_=String)


def _conditions(kind: str, has_start: bool, has_end: bool) -> list[ColumnElement[bool]]:
    conds = [_provider(kind), _c.service_begin_date.is_not(None)]
    if has_end:
        conds.append(_c.service_begin_date <= bindparam("end", type_=Date))
    if has_start:
        conds.append(_c.service_begin_date >= bindparam("low", type_=Date))
        conds.append(bindparam("start", type_=Date) <= _EFFECTIVE_END)
    return conds


@functools.cache
def span_bounds_statement(kind: str) -> Select[Any]:
    """The provider's longest and shortest service span in days: one entry at each end of the
    (provider, span) index."""
    # LIMIT 1 in the SQL text: with a bound limit a generic plan cannot count on one row, and
    # PostgreSQL sorted the 1M-tier provider's spans instead (230 ms).
    base = select(_SPAN).where(_provider(kind), _SPAN.is_not(None)).limit(literal_column("1"))
    longest = base.order_by(_SPAN.desc()).correlate(None).scalar_subquery()
    shortest = base.order_by(_SPAN).correlate(None).scalar_subquery()
    return select(longest, shortest)


@functools.cache
def total_statement(kind: str, has_start: bool, has_end: bool, negative: bool) -> Select[Any]:
    """The exact number of matches, from the maintained counts and two small index ranges.

    Without a range: the provider's `claim_provider_count` row. With one, the matches are
    (1) the claims beginning inside the range — the sum of `claim_day_count` over its days; plus
    (2) claims beginning before the start that still run into it — a COUNT over the index range
    `[start - M, start)`; minus (3) claims beginning inside the range whose end lies before the
    start (a negative span: imported data; only when the provider has such a claim at all).
    The cost grows with the days of the range and the provider's longest span, not its claims.
    """
    provider = bindparam("provider", type_=String)
    if not has_start and not has_end:
        n = claim_provider_count.c
        count = select(n.claims).where(n.kind == kind, n.provider == provider)
        return select(func.coalesce(count.scalar_subquery(), 0))
    d = claim_day_count.c
    days = [d.kind == kind, d.provider == provider]
    if has_start:
        days.append(d.service_begin_date >= bindparam("start", type_=Date))
    if has_end:
        days.append(d.service_begin_date <= bindparam("end", type_=Date))
    inside = select(func.coalesce(func.sum(d.claims), 0)).where(*days).correlate(None)
    if not has_start:
        return inside
    start = bindparam("start", type_=Date)
    began_before = [
        _provider(kind),
        _c.service_begin_date < start,
        _c.service_begin_date >= bindparam("low", type_=Date),
        start <= _EFFECTIVE_END,
    ]
    began_before_count = select(func.count()).where(*began_before).correlate(None)
    if not negative:
        return select(inside.scalar_subquery() + began_before_count.scalar_subquery())
    ended_before = [_provider(kind), literal_column("0") > _SPAN, _c.service_begin_date >= start]
    if has_end:
        ended_before.append(_c.service_begin_date <= bindparam("end", type_=Date))
    ended_before.append(start > _EFFECTIVE_END)
    return select(
        inside.scalar_subquery()
        + began_before_count.scalar_subquery()
        - select(func.count()).where(*ended_before).correlate(None).scalar_subquery()
    )


def _page_rows(
    kind: str, has_start: bool, has_end: bool, negative: bool, direction: Direction | None
) -> Any:
    conds = _conditions(kind, has_start, has_end)
    total = total_statement(kind, has_start, has_end, negative).correlate(None).scalar_subquery()
    n = bindparam("n", type_=Integer, literal_execute=True)  # in the SQL text, for the plan
    if direction is None:
        return (
            select(*HEADER_COLUMNS, total.label("total"), false().label("other"))
            .where(*conds)
            .order_by(_c.service_begin_date, _c.claim_core_id)
            .limit(n)
        )
    key = tuple_(bindparam("k_begin", type_=Date), bindparam("k_id", type_=String))
    if direction == "prev":
        other = exists().where(*conds, key <= _ORDER_KEY).correlate(None)
        return (
            select(*HEADER_COLUMNS, total.label("total"), other.label("other"))
            .where(*conds, key > _ORDER_KEY)
            .order_by(_c.service_begin_date.desc(), _c.claim_core_id.desc())
            .limit(n)
        )
    other = exists().where(*conds, key >= _ORDER_KEY).correlate(None)
    return (
        select(*HEADER_COLUMNS, total.label("total"), other.label("other"))
        .where(*conds, key < _ORDER_KEY)
        .order_by(_c.service_begin_date, _c.claim_core_id)
        .limit(n)
    )


@functools.cache
def page_statement(
    kind: str, has_start: bool, has_end: bool, negative: bool, direction: Direction | None
) -> Select[Any]:
    """`n` claims (HEADER_COLUMNS, the total, whether rows lie behind the cursor) and their lines.

    One row per service line (`LINE_COLUMNS` after the claim's columns; NULLs for a claim without
    lines), claims in page order. `direction` None is the first page. Rows after a backward
    page's last row are exactly the rows at or after its cursor's key; rows before a forward
    page's first row, those at or before its cursor's key: one EXISTS tells whether the other
    cursor is due.
    """
    page = _page_rows(kind, has_start, has_end, negative, direction).subquery("page")
    lines = service_line.c
    order = (page.c.service_begin_date, page.c.claim_core_id)
    if direction == "prev":
        order = (page.c.service_begin_date.desc(), page.c.claim_core_id.desc())
    return (
        select(*page.c, *LINE_COLUMNS)
        .select_from(page.outerjoin(service_line, lines.claim_core_id == page.c.claim_core_id))
        .order_by(*order, lines.line_number)
    )
