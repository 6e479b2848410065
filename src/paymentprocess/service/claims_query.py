"""Claims of one billing provider (TIN or NPI) in a service-date range, in keyset pages.

Order is `(service_begin_date, claim_core_id)`, served by the indexes `(tax_id,
service_begin_date, claim_core_id)` and `(npi, service_begin_date, claim_core_id)`. A date range
matches claims whose service period overlaps it (`begin <= range end` and `end >= range start`).
A page is fetched with a row-value comparison past the cursor's key and `LIMIT n+1` — never
OFFSET — so every page costs the same however deep it is; `total` is an exact COUNT. Claims
without a service begin date cannot be placed in the order and are not listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, select, tuple_

from paymentprocess.service import claims_store as store
from paymentprocess.service.claims_cursor import Cursor, Direction, decode_cursor, encode_cursor
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.tables import claim_fin_core

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


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

    def conditions(self) -> list[Any]:
        c = claim_fin_core.c
        conds: list[Any] = [c.service_begin_date.is_not(None)]
        conds.append(
            c.tax_id == self.provider_tin
            if self.provider_tin is not None
            else c.npi == self.provider_npi
        )
        if self.service_date_end is not None:
            conds.append(c.service_begin_date <= self.service_date_end)
        if self.service_date_start is not None:
            conds.append(
                func.coalesce(c.service_end_date, c.service_begin_date) >= self.service_date_start
            )
        return conds


order_key = tuple_(claim_fin_core.c.service_begin_date, claim_fin_core.c.claim_core_id)


def list_claims(
    engine: Engine, flt: ClaimFilter, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> dict[str, Any]:
    """`{total, limit, claims, next_cursor, prev_cursor}`; InvalidCursorError for a bad cursor.

    A forward page has a next cursor when it fetched one row more than `limit`, and a previous
    cursor when a row exists before its first row; a backward page the other way round. An empty
    page (rows removed since the cursor was made) has neither: the caller starts again.
    """
    scope = flt.fingerprint()
    position = None if cursor is None else decode_cursor(cursor, scope)
    backward = position is not None and position.direction == "prev"
    with unit_of_work(engine, write=False) as uow:
        conn = uow.conn
        total = conn.execute(
            select(func.count()).select_from(claim_fin_core).where(*flt.conditions())
        ).scalar_one()
        headers, more = _page(conn, flt, position, limit)
        claims = store.load_claims(conn, headers)
        first = (headers[0]["service_begin_date"], headers[0]["claim_core_id"]) if headers else None
        last = (
            (headers[-1]["service_begin_date"], headers[-1]["claim_core_id"]) if headers else None
        )
        if backward:
            has_prev, has_next = more, _exists(conn, flt, last, after=True)
        else:
            has_next = more
            has_prev = position is not None and _exists(conn, flt, first, after=False)
    return {
        "total": int(total),
        "limit": limit,
        "claims": claims,
        "next_cursor": _cursor("next", last, scope) if has_next else None,
        "prev_cursor": _cursor("prev", first, scope) if has_prev else None,
    }


def _page(
    conn: Connection, flt: ClaimFilter, position: Cursor | None, limit: int
) -> tuple[list[Any], bool]:
    query = select(*store.claim_header_columns()).where(*flt.conditions())
    c = claim_fin_core.c
    if position is not None and position.direction == "prev":
        query = query.where(order_key < tuple_(position.begin, position.claim_id))
        query = query.order_by(c.service_begin_date.desc(), c.claim_core_id.desc())
    else:
        if position is not None:
            query = query.where(order_key > tuple_(position.begin, position.claim_id))
        query = query.order_by(c.service_begin_date, c.claim_core_id)
    rows = list(conn.execute(query.limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    if position is not None and position.direction == "prev":
        rows.reverse()
    return rows, more


def _exists(
    conn: Connection, flt: ClaimFilter, key: tuple[date, str] | None, *, after: bool
) -> bool:
    if key is None:
        return False
    bound = tuple_(*key)
    query = select(claim_fin_core.c.claim_core_id).where(
        *flt.conditions(), order_key > bound if after else order_key < bound
    )
    return conn.execute(query.limit(1)).first() is not None


def _cursor(direction: Direction, key: tuple[date, str] | None, scope: str) -> str | None:
    if key is None:
        return None
    return encode_cursor(Cursor(direction, key[0], key[1]), scope)
