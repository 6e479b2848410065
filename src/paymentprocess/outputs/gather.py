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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, any_, func, literal, or_, select, union
from sqlalchemy.sql import ColumnElement, Select, Subquery

from paymentprocess.engine.compute import line_payables
from paymentprocess.outputs.remittance import RemitInputs
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.frames_side_by_side import FrameQuery, read_frames

STR, I64, DATE, BOOL = pl.String(), pl.Int64(), pl.Date(), pl.Boolean()


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


# What the 835s need of the claims the items name and of their lines (outputs.remit_835).
CLAIM_COLUMNS = (
    "claim_core_id",
    "claim_reference",
    "patient_control_number",
    "patient_first_name",
    "patient_last_name",
    "frequency_code",
    "benefit_plan_id",
    "member_id",
    "received_date",
    "service_begin_date",
    *t.CLAIM_MONEY,
)
LINE_COLUMNS = (
    "claim_core_id",
    "line_number",
    "procedure_code",
    "units",
    "service_date",
    "line_item_control_number",
    "modifiers",
    *t.CLAIM_MONEY,
)
LARGE_EVENT_ITEMS = 50_000  # paid claims above which SQLite reads in reader processes


# The history candidates' filter (paid elsewhere: an outer join's OR) is estimated at a row or
# two once claim_result has statistics; PostgreSQL then rescans the event's chains per candidate
# (a nested-loop semi join over a Gather: minutes at 200,000 claims). These reads scan whole
# claim sets anyway: hash joins are what they want.
HASH_JOINS = {"enable_nestloop": "off"}


@contextmanager
def hash_joins(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, the reads inside run with HASH_JOINS on `conn` (then back to the default)."""
    if is_sqlite(conn):
        yield
        return
    for name, value in HASH_JOINS.items():
        conn.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
    try:
        yield
    finally:
        for name in HASH_JOINS:
            conn.exec_driver_sql(f"SET LOCAL {name} TO DEFAULT")


def read_remit_inputs(conn: Connection, event_id: str, *, side_by_side: bool = True) -> RemitInputs:
    """Everything `build_remittances` needs for `event_id`, read as of the caller's transaction,
    and the claims and lines the 835s render (`RemitInputs.item_claims`, `item_lines`).

    Every query is read once, side by side as of one snapshot (storage.frames_side_by_side):
    the claims the remittances can name and their lines are read once for both the remittance
    builder and the 835 renderer, and the history claims' own payables come from those lines.
    `side_by_side=False` reads them one after the other on `conn` (for a caller that has
    written rows these reads must see as it sees them).
    """
    payee_ids = select(event_payees(event_id).c.payment_center_id)
    pc, r, reg = t.payment_center, t.claim_result, t.payment_register
    c, sl, bp = t.claim_fin_core, t.service_line, t.benefit_plan
    register_cols = ["payment_center_id", "payment_id", "amount", "method", "check_number"]
    register_cols.append("payment_date")
    named = _item_claims_superset(event_id)
    claim_cols = [*CLAIM_COLUMNS, "parent_claim_core_id"]
    result_cols = ["claim_core_id", "payment_center_id", "payable", "net", "interest"]
    queries: dict[str, FrameQuery] = {  # largest first: three readers side by side
        "lines": (
            select(*(sl.c[n] for n in LINE_COLUMNS)).where(
                sl.c.claim_core_id.in_(select(c.c.claim_core_id).where(named))
            ),
            table_schema(sl, LINE_COLUMNS),
        ),
        "claims": (select(*(c.c[n] for n in claim_cols)).where(named), table_schema(c, claim_cols)),
        "results": (
            select(*(r.c[n] for n in result_cols)).where(
                r.c.payment_event_id == event_id, r.c.outcome == "paid"
            ),
            table_schema(r, result_cols),
        ),
        "candidates": (_history_candidates(event_id), CANDIDATE_SCHEMA),
        "payees": (
            select(pc.c.payment_center_id, pc.c.payment_center_type).where(
                pc.c.payment_center_id.in_(payee_ids)
            ),
            {"payment_center_id": I64, "payment_center_type": STR},
        ),
        "register": (
            select(*(reg.c[n] for n in register_cols)).where(reg.c.payment_event_id == event_id),
            table_schema(reg, register_cols),
        ),
        "records": _records_query(event_id, payee_ids),
        "fcns": _fcns_query(payee_ids, indexed=not is_sqlite(conn)),
        "applications": _applications_query(event_id),
        "prior": _prior_query(event_id, payee_ids),
        "plans": (
            select(bp.c.benefit_plan_id, bp.c.claim_filing_indicator),
            table_schema(bp, ["benefit_plan_id", "claim_filing_indicator"]),
        ),
    }
    with hash_joins(conn):
        if side_by_side:
            paid = select(func.count()).where(
                r.c.payment_event_id == event_id, r.c.outcome == "paid"
            )
            large = int(conn.execute(paid).scalar_one()) > LARGE_EVENT_ITEMS
            read = read_frames(conn, queries, large=large, planner=HASH_JOINS)
        else:
            read = {name: read_frame(conn, *query) for name, query in queries.items()}
    lines = line_payables(_in_claim_line_order(read.pop("lines")))
    claims = read.pop("claims")
    return RemitInputs(
        event_id=event_id,
        results=read["results"],
        claims=claims.select(
            "claim_core_id", "parent_claim_core_id", "frequency_code", "received_date"
        ),
        history=_history(read["candidates"], lines),
        payees=read["payees"],
        register=read["register"],
        records=read["records"].join(_fcns(read["fcns"]), on="claim_chain_id", how="left"),
        applications=read["applications"],
        prior=read["prior"],
        item_claims=claims.drop("parent_claim_core_id").join(
            read["plans"], on="benefit_plan_id", how="left"
        ),
        item_lines=lines,
    )


def _in_claim_line_order(lines: pl.DataFrame) -> pl.DataFrame:
    """`lines` sorted by (claim_core_id, line_number) — the key of service_line, so the order is
    one. A hash join returns them in the table's physical order, almost always this one already:
    then the frame is kept as it is, rather than copied (3.4M lines at 1M claims) by a sort
    that would change nothing."""
    claim, line = pl.col("claim_core_id"), pl.col("line_number")
    ascending = (claim > claim.shift(1)) | ((claim == claim.shift(1)) & (line > line.shift(1)))
    ordered = lines.height < 2 or bool(
        lines.select(ascending.slice(1).all(ignore_nulls=False)).item()
    )
    return lines if ordered else lines.sort("claim_core_id", "line_number")


def _chain(claims: Any) -> Any:
    return func.coalesce(claims.c.parent_claim_core_id, claims.c.claim_core_id)


def _reversed_chains(event_id: str) -> Select[Any]:
    """The chains of the event's paid 7/8 claims (whose history a remittance may reverse)."""
    c, r = t.claim_fin_core, t.claim_result
    return (
        select(_chain(c))
        .select_from(c.join(r, r.c.claim_core_id == c.c.claim_core_id))
        .where(
            r.c.payment_event_id == event_id,
            r.c.outcome == "paid",
            or_(c.c.frequency_code == "7", c.c.frequency_code == "8"),
        )
    )


def _item_claims_superset(event_id: str) -> ColumnElement[bool]:
    """claim_fin_core rows that include every claim `item_claims` names: the event's paid claims
    and every claim of the chains whose history they may reverse (the history candidates are
    among those). Read for the claims and lines frames, which are only ever joined by claim id
    (to the results, the candidates, the items), so the few more claims change nothing; unlike
    `item_claims` it does not evaluate the candidates' "paid elsewhere" joins again in each
    reader — `_history_candidates` is read once, by its own query."""
    c, r = t.claim_fin_core, t.claim_result
    in_event = select(r.c.claim_core_id).where(
        r.c.payment_event_id == event_id, r.c.outcome == "paid"
    )
    return or_(c.c.claim_core_id.in_(in_event), _chain(c).in_(_reversed_chains(event_id)))


def _history_candidates(event_id: str) -> Select[Any]:
    """Claims of the chains of the event's paid 7/8 claims that were Paid outside the event."""
    r, h = t.claim_result, t.claim_fin_core.alias("h")
    hr = t.claim_result.alias("hr")
    chains = _reversed_chains(event_id)
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


CANDIDATE_SCHEMA = {
    "chain_id": STR,
    "claim_core_id": STR,
    "frequency_code": STR,
    "received_date": DATE,
}


def _history(candidates: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Per chain of the event's paid 7/8 claims: its latest Paid claim outside the event (by
    ReceivedDate, ClaimCore_ID) and what that claim's own lines pay (`lines` with the engine's
    `payable`: the candidates are among the claims the items can name, whose lines they are)."""
    latest = candidates.sort("chain_id", "received_date", "claim_core_id", nulls_last=False).unique(
        "chain_id", keep="last", maintain_order=True
    )
    pays = (
        lines.join(latest.select("claim_core_id"), on="claim_core_id", how="semi")
        .group_by("claim_core_id")
        .agg(pl.col("payable").sum().cast(pl.Int64))
    )
    return latest.join(pays, on="claim_core_id", how="left").select(
        "chain_id", "claim_core_id", pl.col("payable").fill_null(0)
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


def _records_query(event_id: str, payee_ids: Select[Any]) -> FrameQuery:
    """The payees' ledger records with what remained of each before the event (joined to the FCN
    a legacy recovery quotes, `_fcns`, once read)."""
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
    return query, schema


def _fcns_query(payee_ids: Select[Any], *, indexed: bool = False) -> FrameQuery:
    """The paid claims of the payees' records' chains (`_fcns` picks each chain's latest).

    `indexed` (PostgreSQL): the claims are found through their indexes (claim id or parent id
    among the chain ids of all records, `= ANY(ARRAY(…))`, a few thousand ids) and "paid" is
    an EXISTS per claim found, instead of hash joins over every claim and result of the
    database (the reads run with nested loops off: a join would scan both tables whole)."""
    c, r, o = t.claim_fin_core, t.claim_result, t.over_and_under_payment
    chains = select(o.c.claim_chain_id).where(
        o.c.payment_center_id.in_(payee_ids), o.c.claim_chain_id.is_not(None)
    )
    schema = {"claim_chain_id": STR, "claim_core_id": STR, "received_date": DATE}
    columns = (_chain(c).label("claim_chain_id"), c.c.claim_core_id, c.c.received_date)
    if indexed:
        every_chain = func.array(
            select(o.c.claim_chain_id).where(o.c.claim_chain_id.is_not(None)).scalar_subquery()
        )
        # a claim of a chain is the chain's root (its id is the chain id) or names it as parent
        near = or_(
            c.c.claim_core_id == any_(every_chain), c.c.parent_claim_core_id == any_(every_chain)
        )
        has_paid_result = (
            select(literal(1))
            .where(r.c.claim_core_id == c.c.claim_core_id, r.c.outcome == "paid")
            .exists()
        )
        query = select(*columns).where(
            near, _chain(c).in_(chains), or_(c.c.status == "Paid", has_paid_result)
        )
        return query, schema
    paid = or_(c.c.status == "Paid", r.c.claim_core_id.is_not(None))
    query = (
        select(*columns)
        .select_from(
            c.outerjoin(r, and_(r.c.claim_core_id == c.c.claim_core_id, r.c.outcome == "paid"))
        )
        .where(_chain(c).in_(chains), paid)
    )
    return query, schema


def _fcns(latest: pl.DataFrame) -> pl.DataFrame:
    """claim_chain_id, fcn: CLP07 of each record chain's latest paid claim."""
    return (
        latest.sort("claim_chain_id", "received_date", "claim_core_id", nulls_last=False)
        .unique("claim_chain_id", keep="last", maintain_order=True)
        .select("claim_chain_id", pl.col("claim_core_id").alias("fcn"))
    )


def _applications_query(event_id: str) -> FrameQuery:
    a = t.over_and_under_payment_application
    names = ["over_and_under_payment_id", "kind", "amount", "refund_id"]
    return (
        select(*(a.c[n] for n in names)).where(a.c.payment_event_id == event_id),
        table_schema(a, names),
    )


def _prior_query(event_id: str, payee_ids: Select[Any]) -> FrameQuery:
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
    return query, schema
