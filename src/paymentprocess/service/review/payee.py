"""One payee of an event, for its console page: the Dry Run's amounts, its identity (masked for
a principal without READ_SENSITIVE), its claims in the event, its payments (payment register)
and its ledger history (each over/underpayment record with its applications and remaining).
Payees are named by `payee_ref` (review.masking), never by a member id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.errors import NotFoundError
from paymentprocess.service.review import masking
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

CLAIMS_PAGE = 50


def resolve_payee(engine: Engine, event_id: str, ref: str) -> tuple[str, int | None]:
    """(payee_key, PaymentCenter_ID) of the event's payee named `ref`; NotFoundError if none."""
    p = t.payment_event_ws_payee
    with unit_of_work(engine, write=False) as uow:
        if ref.isdigit():
            key = uow.conn.execute(
                select(p.c.payee_key).where(
                    p.c.payment_event_id == event_id, p.c.payment_center_id == int(ref)
                )
            ).scalar()
            if key is not None:
                return str(key), int(ref)
        elif ref.startswith("new-"):
            for key in uow.conn.scalars(
                select(p.c.payee_key).where(
                    p.c.payment_event_id == event_id, p.c.payment_center_id.is_(None)
                )
            ):
                if masking.new_payee_ref(key) == ref:
                    return str(key), None
    raise NotFoundError(f"payment event {event_id!r} has no payee {ref!r}")


def payee_detail(
    engine: Engine,
    event_id: str,
    ref: str,
    *,
    sensitive: bool,
    after: str | None = None,
    limit: int = CLAIMS_PAGE,
) -> dict[str, Any]:
    """One payee of the event: amounts, identity (masked), a keyset page of its claims (by
    ClaimCore_ID, after `after`), its payments and ledger history."""
    key, center_id = resolve_payee(engine, event_id, ref)
    p, w, pc = t.payment_event_ws_payee, t.payment_center_ws, t.payment_center
    with unit_of_work(engine, write=False) as uow:
        conn = uow.conn
        amounts = dict(
            conn.execute(select(p).where(p.c.payment_event_id == event_id, p.c.payee_key == key))
            .mappings()
            .one()
        )
        ws = (
            conn.execute(select(w).where(w.c.payment_event_id == event_id, w.c.payee_key == key))
            .mappings()
            .first()
        )
        center = (
            conn.execute(select(pc).where(pc.c.payment_center_id == center_id)).mappings().first()
            if center_id is not None
            else None
        )
        claims = _claims(conn, event_id, key, after, limit + 1)
        payments = _payments(conn, center_id)
        ledger = _ledger(conn, center_id)
    identity = dict(center or ws or {})
    member_payee = identity.get("payment_center_type") == "Member"
    shown_identity = {
        "payment_center_type": identity.get("payment_center_type"),
        "vendor_name": masking.member(identity.get("vendor_name"), sensitive=sensitive)
        if member_payee
        else identity.get("vendor_name"),
        "tax_id": identity.get("tax_id"),
        "npi": identity.get("npi"),
        "member_id": masking.member(identity.get("member_id"), sensitive=sensitive),
        "payment_method": identity.get("payment_method"),
        "bank_routing_number": masking.bank_number(
            identity.get("bank_routing_number"), sensitive=sensitive
        ),
        "bank_account_number": masking.bank_number(
            identity.get("bank_account_number"), sensitive=sensitive
        ),
        "flag": ws["flag"] if ws is not None else ("OLD" if center_id is not None else "NEW"),
    }
    amounts.pop("payee_key")
    return {
        "payee_ref": ref,
        "payment_center_id": center_id,
        "amounts": amounts,
        "identity": shown_identity,
        "claims": claims[:limit],
        "claims_after": claims[limit - 1]["claim_core_id"] if len(claims) > limit else None,
        "payments": payments,
        "ledger": ledger,
    }


def _claims(
    conn: Any, event_id: str, key: str, after: str | None, limit: int
) -> list[dict[str, Any]]:
    r, c = t.claim_ws_result, t.claim_fin_core
    query = (
        select(
            r.c.claim_core_id,
            c.c.frequency_code,
            c.c.service_begin_date,
            r.c.outcome,
            r.c.hold_reason,
            r.c.estimate,
            r.c.net,
            r.c.interest,
        )
        .join(c, c.c.claim_core_id == r.c.claim_core_id)
        .where(r.c.payment_event_id == event_id, r.c.payee_key == key)
        .order_by(r.c.claim_core_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(r.c.claim_core_id > after)
    return [dict(m) for m in conn.execute(query).mappings()]


def _payments(conn: Any, center_id: int | None) -> list[dict[str, Any]]:
    if center_id is None:
        return []
    g = t.payment_register
    query = (
        select(g.c.payment_event_id, g.c.amount, g.c.method, g.c.check_number, g.c.payment_date)
        .where(g.c.payment_center_id == center_id)
        .order_by(g.c.payment_date, g.c.payment_id)
    )
    return [dict(m) for m in conn.execute(query).mappings()]


def _ledger(conn: Any, center_id: int | None) -> list[dict[str, Any]]:
    """The payee's OverAndUnderPayment records, each with its applications and remaining."""
    if center_id is None:
        return []
    o, a = t.over_and_under_payment, t.over_and_under_payment_application
    records = [
        dict(m)
        for m in conn.execute(
            select(
                o.c.over_and_under_payment_id,
                o.c.payment_event_id,
                o.c.type,
                o.c.total_amount,
                o.c.opening_remaining_amount,
                o.c.created_date,
            )
            .where(o.c.payment_center_id == center_id)
            .order_by(o.c.over_and_under_payment_id)
        ).mappings()
    ]
    ids = [rec["over_and_under_payment_id"] for rec in records]
    applications: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for m in conn.execute(
            select(a.c.over_and_under_payment_id, a.c.payment_event_id, a.c.kind, a.c.amount)
            .where(a.c.over_and_under_payment_id.in_(ids))
            .order_by(a.c.application_id)
        ).mappings():
            applications[m["over_and_under_payment_id"]].append(dict(m))
    for rec in records:
        rec["applications"] = applications[rec["over_and_under_payment_id"]]
        rec["remaining"] = rec["opening_remaining_amount"] - sum(
            x["amount"] for x in rec["applications"]
        )
    return records
