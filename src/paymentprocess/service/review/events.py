"""The events list and one event's overview: stage, runs (with stage timings and who started
them), the latest Dry Run's and Final Run's stats documents, backups and output files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from paymentprocess.domain.money import parse_cents
from paymentprocess.errors import NotFoundError
from paymentprocess.service.events import show_event
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

STAGES = ("New", "DryRun", "Final")


@dataclass(frozen=True)
class EventRow:
    payment_event_id: str
    event_type: str
    due_date: dt.date
    stage: str
    claims: int
    last_run_id: int | None
    last_mode: str | None
    last_status: str | None
    last_finished: dt.datetime | None
    paid_cents: int | None


def list_events(
    engine: Engine,
    *,
    stage: str | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> list[EventRow]:
    """Every event (filtered by stage and due date), newest due date first, with its last run
    (only its paid total is read out of the stats document, by a JSON path in the database:
    a large cycle's document holds every payee)."""
    ev, c, st = t.payment_event, t.claim_fin_core, t.payment_event_stats
    counts = (
        select(c.c.payment_event_id, func.count().label("claims"))
        .group_by(c.c.payment_event_id)
        .subquery()
    )
    last = (
        select(st.c.payment_event_id, func.max(st.c.run_id).label("run_id"))
        .group_by(st.c.payment_event_id)
        .subquery()
    )
    query = (
        select(
            ev.c.payment_event_id,
            ev.c.payment_event_type,
            ev.c.payment_due_date,
            ev.c.stage,
            func.coalesce(counts.c.claims, 0).label("claims"),
            st.c.run_id,
            st.c.mode,
            st.c.status,
            st.c.finished_at,
            st.c.document[("totals", "paid")].as_string().label("paid"),
        )
        .outerjoin(counts, counts.c.payment_event_id == ev.c.payment_event_id)
        .outerjoin(last, last.c.payment_event_id == ev.c.payment_event_id)
        .outerjoin(st, st.c.run_id == last.c.run_id)
        .order_by(ev.c.payment_due_date.desc(), ev.c.payment_event_id)
    )
    if stage:
        query = query.where(ev.c.stage == stage)
    if due_from:
        query = query.where(ev.c.payment_due_date >= due_from)
    if due_to:
        query = query.where(ev.c.payment_due_date <= due_to)
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(query).all()
    return [
        EventRow(
            r.payment_event_id,
            r.payment_event_type,
            r.payment_due_date,
            r.stage,
            int(r.claims),
            r.run_id,
            r.mode,
            r.status,
            r.finished_at,
            None if r.paid is None else parse_cents(r.paid),
        )
        for r in rows
    ]


@dataclass
class EventOverview:
    event: dict[str, Any]
    runs: list[dict[str, Any]]
    backups: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    dry_run: dict[str, Any] | None = None  # the latest Dry Run's stats document (+ run_id)
    final_run: dict[str, Any] | None = None

    @property
    def latest(self) -> dict[str, Any] | None:
        """The document the event page leads with: the Final Run's once there is one."""
        return self.final_run or self.dry_run


def event_overview(engine: Engine, event_id: str) -> EventOverview:
    """The event, its runs (oldest first, with who started them), backups and output files,
    and the stats documents of its latest Dry Run and Final Run that did not fail (a Blocked
    run has its totals and findings: it stopped before persist)."""
    shown = show_event(engine, event_id)
    started_by = _started_by(engine, event_id)
    runs = [{**r, "started_by": started_by.get(r["run_id"])} for r in shown["runs"]]
    overview = EventOverview(shown["event"], runs, shown["backups"], output_files(engine, event_id))
    for mode in ("dry-run", "final"):
        ids = [r["run_id"] for r in runs if r["mode"] == mode and r["status"] != "Failed"]
        if ids:
            document = run_document(engine, event_id, ids[-1])
            if mode == "dry-run":
                overview.dry_run = document
            else:
                overview.final_run = document
    return overview


def run_document(engine: Engine, event_id: str, run_id: int) -> dict[str, Any]:
    """One run's stats document with its row's run_id, mode, status and times."""
    st = t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        row = uow.conn.execute(
            select(st).where(st.c.payment_event_id == event_id, st.c.run_id == run_id)
        ).first()
    if row is None:
        raise NotFoundError(f"payment event {event_id!r} has no run {run_id}")
    doc = row.document if isinstance(row.document, dict) else {}
    return {
        **doc,
        "run_id": row.run_id,
        "mode": row.mode,
        "status": row.status,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "started_by": getattr(row, "started_by", None),
    }


def latest_run_id(engine: Engine, event_id: str) -> int:
    st = t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        run_id = uow.conn.execute(
            select(func.max(st.c.run_id)).where(st.c.payment_event_id == event_id)
        ).scalar()
    if run_id is None:
        raise NotFoundError(f"payment event {event_id!r} has no run")
    return int(run_id)


def _started_by(engine: Engine, event_id: str) -> dict[int, str | None]:
    """Who started each run: the `started_by` column the access branch adds (migration 0006);
    empty while the column does not exist."""
    st = t.payment_event_stats
    column = st.c.get("started_by")
    if column is None:
        return {}
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(
            select(st.c.run_id, column).where(st.c.payment_event_id == event_id)
        ).all()
    return {int(r[0]): r[1] for r in rows}


def output_files(engine: Engine, event_id: str) -> list[dict[str, Any]]:
    """Every output file of the event (issued and superseded), with its SHA-256 and size."""
    f = t.output_file
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(
            select(
                f.c.output_file_id,
                f.c.kind,
                f.c.file_name,
                f.c.created_at,
                f.c.sha256,
                f.c.size,
                f.c.status,
            )
            .where(f.c.payment_event_id == event_id)
            .order_by(f.c.output_file_id)
        ).mappings()
        return [dict(r) for r in rows]
