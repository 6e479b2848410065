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

Here: `list_claims`, one page and its cursors. The filter, its bounds and bound values are
`listing_filter`; the statements are `listing_sql`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine

from paymentprocess.service.claims.cursor import Cursor, Direction, decode_cursor, encode_cursor
from paymentprocess.service.claims.document import H_BEGIN, H_ID, claim_document
from paymentprocess.service.claims.listing_filter import (
    DEFAULT_LIMIT,
    ClaimFilter,
    parameters,
    shape,
    span_bounds,
)
from paymentprocess.service.claims.listing_sql import page_statement, total_statement
from paymentprocess.service.claims.read import HEADER_COLUMNS, grouped_lines
from paymentprocess.storage.database import unit_of_work

_TOTAL, _OTHER, _LINES_AT = range(len(HEADER_COLUMNS), len(HEADER_COLUMNS) + 3)  # in a page row


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
