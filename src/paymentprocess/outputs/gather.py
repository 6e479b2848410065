"""Read the stored rows of one Final Run that its remittances are made of (outputs.remittance).

Only what the event wrote or applied, and the history it reversed (OUTPUTS.md O-1): its
`claim_result` rows of outcome `paid`, its payment register, the ledger records of its payees with
their remaining amounts *before* the event, the event's applications, the chains' latest Paid claims
of history, and the remittances our earlier 835s sent those payees. A handful of set-based queries,
each read as one frame; nothing here loops over rows.

"Before the event" is by application order: a Final Run inserts all its applications at once, so
every application with a smaller id than the event's first one was made by an earlier run. An event
that applied nothing reads every other application (its outputs are written right after it, as
`paymentprocess outputs` expects; regenerated after a later run touched the same records, its
files differ and are refused as OUTPUT_DRIFT rather than rewritten).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, func, literal, or_, select, union
from sqlalchemy.sql import ColumnElement, Select, Subquery

from paymentprocess.engine.compute import line_payables
from paymentprocess.outputs.remittance import RemitInputs
from paymentprocess.storage import tables as t
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema

STR, I64, DATE, BOOL = pl.String(), pl.Int64(), pl.Date(), pl.Boolean()


def _read(conn: Connection, query: Select[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return read_frame(conn, query, schema)


def event_payees(event_id: str) -> Subquery:
    """payment_center_id of every payee the event paid, held, offset, refunded or carried in."""
    r, p, o, a = (
        t.claim_result,
        t.payment_register,
        t.over_and_under_payment,
        t.over_and_under_payment_application,
    )
    applied = select(o.c.payment_center_id).where(
        o.c.over_and_under_payment_id.in_(
            select(a.c.over_and_under_payment_id).where(a.c.payment_event_id == event_id)
        )
    )
    return union(
        select(r.c.payment_center_id).where(
            r.c.payment_event_id == event_id, r.c.payment_center_id.is_not(None)
        ),
        select(p.c.payment_center_id).where(p.c.payment_event_id == event_id),
        select(o.c.payment_center_id).where(o.c.payment_event_id == event_id),
        applied,
    ).subquery("event_payees")


def read_remit_inputs(conn: Connection, event_id: str) -> RemitInputs:
    """Everything `build_remittances` needs for `event_id`, read as of the caller's transaction."""
    payee_ids = select(event_payees(event_id).c.payment_center_id)
    pc, r = t.payment_center, t.claim_result
    payees = _read(
        conn,
        select(pc.c.payment_center_id, pc.c.payment_center_type).where(
            pc.c.payment_center_id.in_(payee_ids)
        ),
        {"payment_center_id": I64, "payment_center_type": STR},
    )
    results = _read(
        conn,
        select(r.c.claim_core_id, r.c.payment_center_id, r.c.payable, r.c.net, r.c.interest).where(
            r.c.payment_event_id == event_id, r.c.outcome == "paid"
        ),
        table_schema(r, ["claim_core_id", "payment_center_id", "payable", "net", "interest"]),
    )
    register_cols = ["payment_center_id", "payment_id", "amount", "method", "check_number"]
    register_cols.append("payment_date")
    reg = t.payment_register
    register = _read(
        conn,
        select(*(reg.c[n] for n in register_cols)).where(reg.c.payment_event_id == event_id),
        table_schema(reg, register_cols),
    )
    history = _history(conn, event_id)
    claims = _claims(conn, event_id)
    return RemitInputs(
        event_id=event_id,
        results=results,
        claims=claims,
        history=history,
        payees=payees,
        register=register,
        records=_records(conn, event_id, payee_ids),
        applications=_applications(conn, event_id),
        prior=_prior(conn, event_id, payee_ids),
    )


def _chain(claims: Any) -> Any:
    return func.coalesce(claims.c.parent_claim_core_id, claims.c.claim_core_id)


def _history_candidates(event_id: str) -> Select[Any]:
    """Claims of the chains of the event's paid 7/8 claims that were Paid outside the event."""
    c, r, h = t.claim_fin_core, t.claim_result, t.claim_fin_core.alias("h")
    hr = t.claim_result.alias("hr")
    chains = (
        select(_chain(c))
        .select_from(c.join(r, r.c.claim_core_id == c.c.claim_core_id))
        .where(
            r.c.payment_event_id == event_id,
            r.c.outcome == "paid",
            or_(c.c.frequency_code == "7", c.c.frequency_code == "8"),
        )
    )
    paid_elsewhere = or_(
        and_(hr.c.claim_core_id.is_not(None), hr.c.payment_event_id != event_id),
        and_(hr.c.claim_core_id.is_(None), h.c.status == "Paid"),
    )
    in_event = select(r.c.claim_core_id).where(r.c.payment_event_id == event_id)
    return (
        select(
            _chain(h).label("chain_id"), h.c.claim_core_id, h.c.frequency_code, h.c.received_date
        )
        .select_from(
            h.outerjoin(hr, and_(hr.c.claim_core_id == h.c.claim_core_id, hr.c.outcome == "paid"))
        )
        .where(_chain(h).in_(chains), paid_elsewhere, ~h.c.claim_core_id.in_(in_event))
    )


def _history(conn: Connection, event_id: str) -> pl.DataFrame:
    """Per chain of the event's paid 7/8 claims: its latest Paid claim outside the event (by
    ReceivedDate, ClaimCore_ID) and what that claim's own lines pay."""
    candidates = _history_candidates(event_id)
    schema = {"chain_id": STR, "claim_core_id": STR, "frequency_code": STR, "received_date": DATE}
    latest = (
        _read(conn, candidates, schema)
        .sort("chain_id", "received_date", "claim_core_id", nulls_last=False)
        .unique("chain_id", keep="last", maintain_order=True)
    )
    ids = candidates.subquery("candidates")
    pays = _line_payables(conn, select(ids.c.claim_core_id))
    return latest.join(pays, on="claim_core_id", how="left").select(
        "chain_id", "claim_core_id", pl.col("payable").fill_null(0)
    )


def _line_payables(conn: Connection, claim_ids: Select[Any]) -> pl.DataFrame:
    sl = t.service_line
    names = ["claim_core_id", "line_number", *(m for m in t.CLAIM_MONEY)]
    lines = _read(
        conn,
        select(*(sl.c[n] for n in names)).where(sl.c.claim_core_id.in_(claim_ids)),
        table_schema(sl, names),
    )
    return (
        line_payables(lines).group_by("claim_core_id").agg(pl.col("payable").sum().cast(pl.Int64))
    )


def item_claims(event_id: str) -> ColumnElement[bool]:
    """claim_fin_core rows a remittance of the event can name: the event's paid claims and the
    history claims they may reverse."""
    c, r = t.claim_fin_core, t.claim_result
    in_event = select(r.c.claim_core_id).where(
        r.c.payment_event_id == event_id, r.c.outcome == "paid"
    )
    history = _history_candidates(event_id).subquery("candidates")
    return or_(
        c.c.claim_core_id.in_(in_event), c.c.claim_core_id.in_(select(history.c.claim_core_id))
    )


def _claims(conn: Connection, event_id: str) -> pl.DataFrame:
    c = t.claim_fin_core
    names = ["claim_core_id", "parent_claim_core_id", "frequency_code", "received_date"]
    query = select(*(c.c[n] for n in names)).where(item_claims(event_id))
    return _read(conn, query, table_schema(c, names))


def _records(conn: Connection, event_id: str, payee_ids: Select[Any]) -> pl.DataFrame:
    """The payees' ledger records with what remained of each before the event, and the FCN a
    legacy recovery quotes (CLP07 of the record's chain's latest paid claim)."""
    o, a = t.over_and_under_payment, t.over_and_under_payment_application
    first = (
        select(func.min(a.c.application_id))
        .where(a.c.payment_event_id == event_id)
        .scalar_subquery()
    )
    earlier = (
        select(a.c.over_and_under_payment_id, func.sum(a.c.amount).label("applied"))
        .where(a.c.payment_event_id != event_id)
        .where(or_(first.is_(None), a.c.application_id < first))
        .group_by(a.c.over_and_under_payment_id)
        .subquery()
    )
    remaining = o.c.opening_remaining_amount - func.coalesce(earlier.c.applied, literal(0))
    query = (
        select(
            o.c.over_and_under_payment_id,
            o.c.payment_center_id,
            o.c.payment_event_id,
            o.c.type,
            o.c.total_amount,
            remaining.label("remaining_before"),
            o.c.claim_chain_id,
        )
        .select_from(
            o.outerjoin(
                earlier, earlier.c.over_and_under_payment_id == o.c.over_and_under_payment_id
            )
        )
        .where(o.c.payment_center_id.in_(payee_ids))
    )
    schema = {
        "over_and_under_payment_id": I64,
        "payment_center_id": I64,
        "payment_event_id": STR,
        "type": STR,
        "total_amount": I64,
        "remaining_before": I64,
        "claim_chain_id": STR,
    }
    records = _read(conn, query, schema)
    return records.join(_fcns(conn, payee_ids), on="claim_chain_id", how="left")


def _fcns(conn: Connection, payee_ids: Select[Any]) -> pl.DataFrame:
    c, r, o = t.claim_fin_core, t.claim_result, t.over_and_under_payment
    chains = select(o.c.claim_chain_id).where(
        o.c.payment_center_id.in_(payee_ids), o.c.claim_chain_id.is_not(None)
    )
    paid = or_(c.c.status == "Paid", r.c.claim_core_id.is_not(None))
    query = (
        select(_chain(c).label("claim_chain_id"), c.c.claim_core_id, c.c.received_date)
        .select_from(
            c.outerjoin(r, and_(r.c.claim_core_id == c.c.claim_core_id, r.c.outcome == "paid"))
        )
        .where(_chain(c).in_(chains), paid)
    )
    latest = _read(
        conn, query, {"claim_chain_id": STR, "claim_core_id": STR, "received_date": DATE}
    )
    return (
        latest.sort("claim_chain_id", "received_date", "claim_core_id", nulls_last=False)
        .unique("claim_chain_id", keep="last", maintain_order=True)
        .select("claim_chain_id", pl.col("claim_core_id").alias("fcn"))
    )


def _applications(conn: Connection, event_id: str) -> pl.DataFrame:
    a = t.over_and_under_payment_application
    names = ["over_and_under_payment_id", "kind", "amount", "refund_id"]
    return _read(
        conn,
        select(*(a.c[n] for n in names)).where(a.c.payment_event_id == event_id),
        table_schema(a, names),
    )


def _prior(conn: Connection, event_id: str, payee_ids: Select[Any]) -> pl.DataFrame:
    """Earlier remittances of the payees: whether each forwarded a balance (row 6: FB under its own
    TRN02) or withheld money (row 7: E3 under its own TRN02), in issue order."""
    m, plb, f = t.remittance, t.remittance_plb, t.output_file
    own = and_(plb.c.remit_id == m.c.remit_id, plb.c.reference == m.c.trn02)
    forwarded = select(literal(1)).where(own, plb.c.reason == "FB", plb.c.amount < 0).exists()
    withheld = select(literal(1)).where(own, plb.c.reason == "E3", plb.c.amount > 0).exists()
    query = (
        select(
            m.c.payment_center_id,
            m.c.payment_event_id,
            m.c.trn02,
            forwarded.label("forwarded"),
            withheld.label("withheld"),
            m.c.output_file_id.label("seq"),
        )
        .select_from(m.join(f, f.c.output_file_id == m.c.output_file_id))
        .where(
            m.c.payment_center_id.in_(payee_ids),
            m.c.payment_event_id != event_id,
            f.c.status == "issued",
        )
    )
    schema = {
        "payment_center_id": I64,
        "payment_event_id": STR,
        "trn02": STR,
        "forwarded": BOOL,
        "withheld": BOOL,
        "seq": I64,
    }
    return _read(conn, query, schema)
