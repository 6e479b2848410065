"""Claims of one billing provider (TIN or NPI) in a service-date range, in keyset pages.

Order is `(service_begin_date, claim_core_id)`, served by the indexes `(tax_id,
service_begin_date, claim_core_id)` and `(npi, service_begin_date, claim_core_id)`. A page is
fetched with a row-value comparison past the cursor's key and `LIMIT n+1` — never OFFSET — so
every page costs the same however deep it is. Claims without a service begin date cannot be
placed in the order and are not listed.

A date range matches claims whose service period overlaps it (`begin <= range end` and
`COALESCE(end, begin) >= range start`). The second condition alone cannot bound the index range,
so the provider's longest service span `M` is read first (one lookup in the index `(provider,
span)`, storage.claim_span) and `begin >= start - M` is added: it holds for every match, and it
turns "scan from the provider's first claim" into "scan from M days before the range".

`total` is exact and comes from the same statement (so the same snapshot) as the page, without
counting the provider's claims: the trigger-kept `claim_provider_count` row when there is no
range, else the sum of `claim_day_count` over the range's days plus the claims that begin up to
`M` days before the start and run into it, minus those that begin inside it but end before its
start (see `total_statement`). Whether a page exists on the other side of the cursor is an EXISTS
in that statement too. Statements are built once per shape, with bound values.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Engine,
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

from paymentprocess.domain.identifiers import normalize_identifier
from paymentprocess.service.claims.cursor import Cursor, Direction, decode_cursor, encode_cursor
from paymentprocess.service.claims.document import H_BEGIN, H_ID, claim_document
from paymentprocess.service.claims.read import HEADER_COLUMNS, LINE_COLUMNS, grouped_lines
from paymentprocess.storage.claim_span import service_span_days
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.tables import (
    claim_day_count,
    claim_fin_core,
    claim_provider_count,
    service_line,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_c = claim_fin_core.c
_SPAN = service_span_days(_c.service_begin_date, _c.service_end_date)
_ORDER_KEY = tuple_(_c.service_begin_date, _c.claim_core_id)
_EFFECTIVE_END = func.coalesce(_c.service_end_date, _c.service_begin_date)
_TOTAL, _OTHER, _LINES_AT = range(len(HEADER_COLUMNS), len(HEADER_COLUMNS) + 3)  # in a page row


@dataclass(frozen=True)
class ClaimFilter:
    """Exactly one of provider_tin / provider_npi, and an optional service-date range."""

    provider_tin: str | None = None
    provider_npi: str | None = None
    service_date_start: date | None = None
    service_date_end: date | None = None

    def __post_init__(self) -> None:
        if (self.provider_tin is None) == (self.provider_npi is None):
            raise ValueError("give exactly one of provider_tin and provider_npi")
        start, end = self.service_date_start, self.service_date_end
        if start is not None and end is not None and start > end:
            raise ValueError("service_date_start must not be after service_date_end")

    def fingerprint(self) -> str:
        parts = (
            self.provider_tin,
            self.provider_npi,
            self.service_date_start,
            self.service_date_end,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    @property
    def kind(self) -> str:
        return "tin" if self.provider_tin is not None else "npi"

    @property
    def provider(self) -> str:
        """The TIN or NPI as stored: without separators (`domain.identifiers`), `36-2514789`
        finds the claims of `362514789`."""
        value = self.provider_tin if self.provider_tin is not None else self.provider_npi
        assert value is not None
        return normalize_identifier(value)


@dataclass(frozen=True)
class Bounds:
    """What a date range's statements need to know of the provider's service spans."""

    low: date | None  # start - M: no overlapping claim begins earlier (None without a start)
    negative: bool  # some claim of the provider ends before it begins (imported data)


Shape = tuple[str, bool, bool, bool]


def shape(flt: ClaimFilter, bounds: Bounds) -> Shape:
    """What the statements depend on besides bound values: TIN or NPI, which range bounds, and
    whether claims with negative spans need subtracting (only with a start)."""
    has_start = flt.service_date_start is not None
    return flt.kind, has_start, flt.service_date_end is not None, has_start and bounds.negative


# Statements are built once per shape (TIN or NPI, which range bounds, which direction) with bound
# parameters: provider, start, end, low (`start - M`), the cursor's key (k_begin, k_id) and n.
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


def span_bounds(conn: Connection, flt: ClaimFilter) -> Bounds:
    """The earliest begin date a claim overlapping the range can have, and whether negative spans
    exist (one statement; nothing to read without a start).

    A claim spans `span = COALESCE(end, begin) - begin` days and overlaps iff `begin + span >=
    start`; with `M >= span` for all of the provider's claims, every match has `begin >= start -
    M`. A negative M counts as 0: a weaker, still valid bound.
    """
    start = flt.service_date_start
    if start is None:
        return Bounds(None, False)
    longest, shortest = conn.execute(
        span_bounds_statement(flt.kind), {"provider": flt.provider}
    ).one()
    days = max(int(longest or 0), 0)
    low = date.min if days >= (start - date.min).days else start - timedelta(days=days)
    return Bounds(low, shortest is not None and shortest < 0)


def parameters(
    flt: ClaimFilter, bounds: Bounds, position: Cursor | None = None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The bound values of the statements for `flt` (and a page of `limit` after `position`)."""
    values: dict[str, Any] = {"provider": flt.provider, "n": limit + 1}
    if flt.service_date_start is not None:
        values["start"], values["low"] = flt.service_date_start, bounds.low
    if flt.service_date_end is not None:
        values["end"] = flt.service_date_end
    if position is not None:
        values["k_begin"], values["k_id"] = position.begin, position.claim_id
    return values


def list_claims(
    engine: Engine, flt: ClaimFilter, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> dict[str, Any]:
    """`{total, limit, claims, next_cursor, prev_cursor}`; InvalidCursorError for a bad cursor.

    A forward page has a next cursor when it fetched one row more than `limit`, and a previous
    cursor when a row exists at or before its cursor's key; a backward page the other way round.
    An empty page (rows removed since the cursor was made) has neither: the caller starts again.
    """
    scope = flt.fingerprint()
    position = None if cursor is None else decode_cursor(cursor, scope)
    backward = position is not None and position.direction == "prev"
    with unit_of_work(engine, write=False) as uow:
        conn = uow.conn
        bounds = span_bounds(conn, flt)
        values = parameters(flt, bounds, position, limit)
        kind = shape(flt, bounds)
        page = page_statement(*kind, None if position is None else position.direction)
        rows = grouped_lines(conn.execute(page, values), _LINES_AT)
        if rows:
            total, other = rows[0][0][_TOTAL], bool(rows[0][0][_OTHER])
        else:
            total, other = conn.execute(total_statement(*kind), values).scalar_one(), False
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    claims = [claim_document(header, lines) for header, lines in rows]
    has_next, has_prev = (other, more) if backward else (more, other)
    first = (rows[0][0][H_BEGIN], rows[0][0][H_ID]) if rows else None
    last = (rows[-1][0][H_BEGIN], rows[-1][0][H_ID]) if rows else None
    return {
        "total": int(total),
        "limit": limit,
        "claims": claims,
        "next_cursor": _cursor("next", last, scope) if has_next and rows else None,
        "prev_cursor": _cursor("prev", first, scope) if has_prev and rows else None,
    }


def _cursor(direction: Direction, key: tuple[date, str] | None, scope: str) -> str | None:
    if key is None:
        return None
    return encode_cursor(Cursor(direction, key[0], key[1]), scope)
