"""Payment events: create one (assigning the Unpaid claims that belong to no open event), list, show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, and_, exists, func, insert, or_, select, update

from paymentprocess.domain.roles import Action
from paymentprocess.errors import InputError, NotFoundError, RecordProblem
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.audit import record
from paymentprocess.storage import tables as t
from paymentprocess.storage.bulk_counts import bulk_counts
from paymentprocess.storage.claims_view import paid_by_final_run
from paymentprocess.storage.database import unit_of_work, utcnow

EVENT_TYPES = ("Provider", "DMR")


def create_event(
    engine: Engine,
    *,
    payment_event_id: str,
    event_type: str,
    payment_due_date: dt.date,
    business_id: str | None,
    funding_source_id: str,
    inclusion_criteria_id: str | None,
    principal: Principal = LOCAL,
) -> dict[str, Any]:
    """Create a PaymentEvent (stage New) and assign it the Unpaid claims of no open event
    (`principal` must be allowed CREATE_EVENT).

    A claim belongs to an open event when its event exists and is not Final; claims of Final
    events that are still Unpaid (held last cycle) move to the new event. DMR events take the
    claims that carry a MemberID and no TaxID/NPI pair; Provider events the others.
    """
    require(principal, Action.CREATE_EVENT)
    problems = []
    if not payment_event_id.strip():
        problems.append(RecordProblem("event", "option", "PaymentEvent_ID", "is empty"))
    if event_type not in EVENT_TYPES:
        problems.append(
            RecordProblem(
                "event",
                "option",
                "PaymentEventType",
                f"must be Provider or DMR, not {event_type!r}",
            )
        )
    if problems:
        raise InputError(problems)
    ev, c = t.payment_event, t.claim_fin_core
    with unit_of_work(engine) as uow:
        conn = uow.conn
        if conn.execute(
            select(ev.c.payment_event_id).where(ev.c.payment_event_id == payment_event_id)
        ).first():
            raise InputError(
                [
                    RecordProblem(
                        "event", "option", "PaymentEvent_ID", f"{payment_event_id!r} already exists"
                    )
                ]
            )
        if (
            conn.execute(
                select(t.funding_source.c.funding_source_id).where(
                    t.funding_source.c.funding_source_id == funding_source_id
                )
            ).first()
            is None
        ):
            raise InputError(
                [
                    RecordProblem(
                        "event",
                        "option",
                        "FundingSource_ID",
                        f"{funding_source_id!r} does not exist",
                    )
                ]
            )
        conn.execute(
            insert(ev).values(
                payment_event_id=payment_event_id,
                business_id=business_id,
                inclusion_criteria_id=inclusion_criteria_id,
                funding_source_id=funding_source_id,
                payment_due_date=payment_due_date,
                payment_event_type=event_type,
                stage="New",
                updated_at=utcnow(),
            )
        )
        open_event = exists().where(
            ev.c.payment_event_id == c.c.payment_event_id,
            ev.c.stage != "Final",
            ev.c.payment_event_id != payment_event_id,
        )
        provider = and_(c.c.tax_id.is_not(None), c.c.npi.is_not(None))
        kind = ~provider if event_type == "DMR" else or_(provider, c.c.member_id.is_(None))
        # Assigning changes no counted column (TIN, NPI, service begin date): with the count
        # triggers off for this transaction (storage.bulk_counts) the counts need nothing.
        with bulk_counts(conn):
            assigned = conn.execute(
                update(c)
                .where(c.c.status == "Unpaid", ~paid_by_final_run(), ~open_event, kind)
                .values(payment_event_id=payment_event_id)
            ).rowcount
        record(
            conn,
            principal,
            "event_created",
            event_id=payment_event_id,
            detail={"claims_assigned": int(assigned)},
        )
        uow.commit()
    return {"payment_event_id": payment_event_id, "stage": "New", "claims_assigned": int(assigned)}


def list_events(engine: Engine) -> list[dict[str, Any]]:
    ev, c = t.payment_event, t.claim_fin_core
    counts = (
        select(c.c.payment_event_id, func.count().label("claims"))
        .group_by(c.c.payment_event_id)
        .subquery()
    )
    with unit_of_work(engine, write=False) as uow:
        rows = (
            uow.conn.execute(
                select(
                    ev.c.payment_event_id,
                    ev.c.payment_event_type,
                    ev.c.payment_due_date,
                    ev.c.stage,
                    func.coalesce(counts.c.claims, 0).label("claims"),
                )
                .outerjoin(counts, counts.c.payment_event_id == ev.c.payment_event_id)
                .order_by(ev.c.payment_due_date, ev.c.payment_event_id)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def show_event(engine: Engine, payment_event_id: str) -> dict[str, Any]:
    ev, st = t.payment_event, t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        row = (
            uow.conn.execute(select(ev).where(ev.c.payment_event_id == payment_event_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFoundError(f"payment event {payment_event_id!r} does not exist")
        runs = uow.conn.execute(
            select(
                st.c.run_id,
                st.c.mode,
                st.c.status,
                st.c.started_at,
                st.c.finished_at,
                st.c.document,
                st.c.started_by,
            )
            .where(st.c.payment_event_id == payment_event_id)
            .order_by(st.c.run_id)
        ).all()
        backups = (
            uow.conn.execute(
                select(t.backup.c.backup_id, t.backup.c.created_at, t.backup.c.restored_at)
                .where(t.backup.c.payment_event_id == payment_event_id)
                .order_by(t.backup.c.backup_id)
            )
            .mappings()
            .all()
        )
        latest = uow.conn.execute(
            select(func.max(t.backup.c.backup_id)).where(t.backup.c.restored_at.is_(None))
        ).scalar()
    event = {k: v for k, v in row.items() if k != "extra"}
    return {
        "event": event,
        "runs": [_run_summary(r) for r in runs],
        "backups": [
            {  # only the latest Final Run of the database can be restored (docs/reliability.md)
                **b,
                "restorable": b["restored_at"] is None
                and b["backup_id"] == latest
                and row["stage"] == "Final",
            }
            for b in backups
        ],
    }


def _run_summary(run: Any) -> dict[str, Any]:
    """A run of `show_event`: when, how it ended, what it paid, how long each stage took."""
    doc = run.document if isinstance(run.document, dict) else {}
    seconds = (
        None
        if run.finished_at is None
        else round((run.finished_at - run.started_at).total_seconds(), 3)
    )
    return {
        "run_id": run.run_id,
        "mode": run.mode,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "seconds": seconds,
        "started_by": run.started_by,  # the user (None: no users, or before revision 0006)
        "paid": doc.get("totals", {}).get("paid"),
        "error": doc.get("error"),
        "timings_ms": doc.get("timings_ms", {}),
    }


def latest_stats(engine: Engine, payment_event_id: str) -> list[dict[str, Any]]:
    st = t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        docs = uow.conn.execute(
            select(st.c.run_id, st.c.document)
            .where(st.c.payment_event_id == payment_event_id)
            .order_by(st.c.run_id)
        ).all()
    return [{"run_id": r.run_id, **r.document} for r in docs]
