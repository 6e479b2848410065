"""The outbox events of a run, written in the run's own transaction (docs/events.md): a Dry Run
that completed writes `payment_event.dry_run_completed`; a Final Run that paid writes
`payment_event.finalized` (its totals) and one `payment.issued` per payment register row (payee
id, amount, method, check number, date — no bank account, no member identity). A run that is
rolled back, crashes or is Blocked writes none, because they commit with it or not at all.
`restore` of a Final Run writes `payment_event.restored` in its transaction: the Final Run's
events may already have left, so they are never taken back; this one says they no longer hold.

Payloads carry `version` (1) and no wall-clock time (the row's `created_at` is the message's
timestamp). A payment event's own events keep their order (ordering key `payment_event:<id>`);
each payment is its own subject.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from paymentprocess.domain.money import format_cents
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import utcnow
from paymentprocess.storage.outbox import add_events

VERSION = 1
DRY_RUN_COMPLETED = "payment_event.dry_run_completed"
FINALIZED = "payment_event.finalized"
PAYMENT_ISSUED = "payment.issued"
RESTORED = "payment_event.restored"


def write_run_events(conn: Connection, document: dict[str, Any], run_id: int) -> int:
    """Add the events of a completed run (its stats document) to the outbox; returns how many."""
    event_id = str(document["payment_event_id"])
    summary = _summary(document, run_id)
    key = f"payment_event:{event_id}"
    if document["mode"] != "final":
        add_events(conn, [(DRY_RUN_COMPLETED, summary, key)], created_at=utcnow())
        return 1
    payments = _payments(conn, event_id)
    summary["payments"] = len(payments)
    events = [(FINALIZED, summary, key), *((PAYMENT_ISSUED, p, p["payment_id"]) for p in payments)]
    add_events(conn, events, created_at=utcnow())
    return len(events)


def _summary(document: dict[str, Any], run_id: int) -> dict[str, Any]:
    counts = document.get("counts", {})
    return {
        "version": VERSION,
        "payment_event_id": str(document["payment_event_id"]),
        "run_id": run_id,
        "status": document["status"],
        "totals": dict(document["totals"]),
        "claims": int(counts.get("claims", 0)),
        "payees": dict(counts.get("payees", {})),
    }


def _payments(conn: Connection, event_id: str) -> list[dict[str, Any]]:
    reg = t.payment_register
    rows = conn.execute(
        select(
            reg.c.payment_id,
            reg.c.payment_center_id,
            reg.c.amount,
            reg.c.method,
            reg.c.check_number,
            reg.c.payment_date,
        )
        .where(reg.c.payment_event_id == event_id)
        .order_by(reg.c.payment_center_id)
    )
    return [
        {
            "version": VERSION,
            "payment_id": r.payment_id,
            "payment_event_id": event_id,
            "payee_id": int(r.payment_center_id),
            "amount": format_cents(int(r.amount)),
            "method": r.method,
            "check_number": r.check_number,
            "payment_date": r.payment_date.isoformat(),
        }
        for r in rows
    ]


def write_restore_event(conn: Connection, event_id: str, backup_id: int, stage: str) -> None:
    """`payment_event.restored`: the event's latest Final Run was undone from `backup_id`."""
    payload = {
        "version": VERSION,
        "payment_event_id": event_id,
        "backup_id": backup_id,
        "stage": stage,
    }
    add_events(conn, [(RESTORED, payload, f"payment_event:{event_id}")], created_at=utcnow())
