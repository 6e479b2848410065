"""A claim's effective status: its imported values overlaid with the Final Run that paid it.

Runs never UPDATE claims: a Final Run inserts a `claim_result` row (outcome `paid`, at most one per
claim). The effective `Status` is then `Paid`, `PaidAmount` that row's `net` and
`PaidPaymentEvent_ID` its event; a claim without such a row keeps the values it was loaded with.
`effective_claims_select()` gives every claim_fin_core column with those three overlaid, under the
table's own column names; add `.where(...)` with `claim_fin_core.c.<col>` or the `effective_*`
expressions below (e.g. `effective_status == "Unpaid"`). Used by export, the engine and the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, Table, and_, case, exists, literal, select
from sqlalchemy.sql import FromClause

from paymentprocess.storage.tables import claim_fin_core, claim_result

paid_result = claim_result.alias("paid_result")


def paid_by_final_run(claims: Table = claim_fin_core) -> Exists:
    """EXISTS a `paid` claim_result for the claim (negate it for "not paid by any Final Run")."""
    return exists().where(
        claim_result.c.claim_core_id == claims.c.claim_core_id, claim_result.c.outcome == "paid"
    )


claims_with_paid_result: FromClause = claim_fin_core.outerjoin(
    paid_result,
    and_(
        paid_result.c.claim_core_id == claim_fin_core.c.claim_core_id,
        paid_result.c.outcome == literal("paid"),
    ),
)

_paid = paid_result.c.claim_core_id.is_not(None)

effective_status: ColumnElement[Any] = case((_paid, literal("Paid")), else_=claim_fin_core.c.status)
effective_paid_amount: ColumnElement[Any] = case(
    (_paid, paid_result.c.net), else_=claim_fin_core.c.paid_amount
)
effective_paid_payment_event_id: ColumnElement[Any] = case(
    (_paid, paid_result.c.payment_event_id), else_=claim_fin_core.c.paid_payment_event_id
)

OVERLAID: dict[str, ColumnElement[Any]] = {
    "status": effective_status,
    "paid_amount": effective_paid_amount,
    "paid_payment_event_id": effective_paid_payment_event_id,
}


def effective_claim_columns(columns: Iterable[str] | None = None) -> list[ColumnElement[Any]]:
    """claim_fin_core columns (all, or those named) with the paid overlay, labelled as the table's."""
    names = list(columns) if columns is not None else [c.name for c in claim_fin_core.columns]
    return [
        OVERLAID[name].label(name) if name in OVERLAID else claim_fin_core.c[name] for name in names
    ]


def effective_claims_select(columns: Iterable[str] | None = None) -> Select[Any]:
    """SELECT claims with their effective status, paid amount and paying event."""
    return select(*effective_claim_columns(columns)).select_from(claims_with_paid_result)
