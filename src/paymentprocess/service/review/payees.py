"""The payees table of an event's Dry Run (payment_event_ws_payee: OLD/NEW, the SPEC §5 amounts)
with sort, filter and keyset pages (one payee's page is review.payee).

A page's position is `(sort value, payee_key)`; the cursor is sealed (review.cursor) because a
payee key is a member id on DMR events. Identities are masked for a principal without
READ_SENSITIVE (review.masking): a member's id and name, every bank number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, literal, or_, select

from paymentprocess.domain.payee_result import STATS_NAMES
from paymentprocess.service.review import masking
from paymentprocess.service.review.cursor import seal, unseal
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

SORTS = (*STATS_NAMES, "payment_center_id")
FLAGS = ("OLD", "NEW")
PAGE = 25
MAX_PAGE = 200


@dataclass(frozen=True)
class PayeeQuery:
    sort: str = "net_pay"
    descending: bool = True
    flag: str | None = None  # OLD | NEW
    held_only: bool = False
    limit: int = PAGE

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        if self.flag not in (None, *FLAGS):
            raise ValueError("flag must be OLD or NEW")
        if not 1 <= self.limit <= MAX_PAGE:
            raise ValueError(f"limit must be 1 to {MAX_PAGE}")

    def scope(self, event_id: str) -> str:
        return f"{event_id}|{self.sort}|{self.descending}|{self.flag}|{self.held_only}"


@dataclass
class PayeePage:
    rows: list[dict[str, Any]]
    total: int
    next_cursor: str | None


def _sort_column(sort: str) -> ColumnElement[Any]:
    p = t.payment_event_ws_payee
    if sort == "payment_center_id":
        return func.coalesce(p.c.payment_center_id, literal(-1))
    return p.c[sort]


def payees_page(
    engine: Engine,
    event_id: str,
    query: PayeeQuery,
    *,
    cursor: str | None,
    secret: bytes,
    sensitive: bool,
) -> PayeePage:
    p, w, pc = t.payment_event_ws_payee, t.payment_center_ws, t.payment_center
    sort = _sort_column(query.sort)
    where: list[ColumnElement[bool]] = [p.c.payment_event_id == event_id]
    if query.flag == "OLD":
        where.append(p.c.payment_center_id.is_not(None))
    elif query.flag == "NEW":
        where.append(p.c.payment_center_id.is_(None))
    if query.held_only:
        where.append(p.c.held > 0)
    page_where = list(where)
    if cursor:
        value, key = unseal(cursor, query.scope(event_id), secret)
        beyond = (sort < value) if query.descending else (sort > value)
        tie = (p.c.payee_key < key) if query.descending else (p.c.payee_key > key)
        page_where.append(or_(beyond, and_(sort == value, tie)))
    order = (sort.desc(), p.c.payee_key.desc()) if query.descending else (sort, p.c.payee_key)
    statement = (
        select(
            p,
            sort.label("sort_value"),
            *(
                func.coalesce(w.c[name], pc.c[name]).label(name)
                for name in (
                    "payment_center_type",
                    "vendor_name",
                    "tax_id",
                    "npi",
                    "member_id",
                    "payment_method",
                )
            ),
        )
        .outerjoin(w, and_(w.c.payment_event_id == event_id, w.c.payee_key == p.c.payee_key))
        .outerjoin(pc, pc.c.payment_center_id == p.c.payment_center_id)
        .where(*page_where)
        .order_by(*order)
        .limit(query.limit + 1)
    )
    with unit_of_work(engine, write=False) as uow:
        rows = [dict(m) for m in uow.conn.execute(statement).mappings()]
        total = int(
            uow.conn.execute(select(func.count()).select_from(p).where(*where)).scalar_one()
        )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = seal([last["sort_value"], last["payee_key"]], query.scope(event_id), secret)
    return PayeePage([_shown(r, sensitive) for r in rows], total, next_cursor)


def _shown(row: dict[str, Any], sensitive: bool) -> dict[str, Any]:
    """A payee row as the console shows it: named by `payee_ref`, identities masked."""
    key = row.pop("payee_key")
    row.pop("sort_value", None)
    member_payee = row.get("payment_center_type") == "Member" or bool(row.get("member_id"))
    row["payee_ref"] = masking.payee_ref(row["payment_center_id"], key)
    row["flag"] = "OLD" if row["payment_center_id"] is not None else "NEW"
    row["member_id"] = masking.member(row.get("member_id"), sensitive=sensitive)
    if member_payee:
        row["vendor_name"] = masking.member(row.get("vendor_name"), sensitive=sensitive)
    return row
