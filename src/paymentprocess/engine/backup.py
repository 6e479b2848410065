"""Backups before a Final Run, and restore.

PaymentCenter, OverAndUnderPayment (with its applications) and SequenceNumbers are copied row for
row into `backup_<table>` under a new backup id. ClaimFinCore is never modified by a run (results
are inserted into claim_result, tagged with the event; line payments are a view over it), so its backup is
the fact that the event had no results; restore removes the event's inserted rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, Integer, delete, func, insert, literal, select, update

from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import utcnow

EVENT_RESULTS = (t.claim_result, t.payment_register)


def take_backup(conn: Connection, payment_event_id: str) -> int:
    """Copy the backed-up tables; returns the backup id."""
    counts: dict[str, int] = {}
    for name in t.backup_copies:
        counts[name] = int(
            conn.execute(select(func.count()).select_from(t.metadata.tables[name])).scalar_one()
        )
    counts["claim_result_of_event"] = int(
        conn.execute(
            select(func.count())
            .select_from(t.claim_result)
            .where(t.claim_result.c.payment_event_id == payment_event_id)
        ).scalar_one()
    )
    backup_id = int(
        conn.execute(
            insert(t.backup)
            .values(payment_event_id=payment_event_id, created_at=utcnow(), row_counts=counts)
            .returning(t.backup.c.backup_id)
        ).scalar_one()
    )
    for name, copy in t.backup_copies.items():
        source = t.metadata.tables[name]
        cols = [c.name for c in source.columns]
        conn.execute(
            insert(copy).from_select(
                ["backup_id", *cols],
                select(
                    literal(backup_id, Integer).label("backup_id"), *(source.c[c] for c in cols)
                ),
            )
        )
    return backup_id


def restore_backup(conn: Connection, backup_id: int) -> dict[str, int]:
    """Put the backed-up tables back as they were and remove the event's Final Run results."""
    row = conn.execute(select(t.backup).where(t.backup.c.backup_id == backup_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"backup {backup_id} does not exist")
    if row["restored_at"] is not None:
        raise RunRefusedError(f"backup {backup_id} was already restored at {row['restored_at']}")
    event_id = row["payment_event_id"]
    restored: dict[str, int] = {}
    for name, copy in t.backup_copies.items():
        source = t.metadata.tables[name]
        cols = [c.name for c in source.columns]
        conn.execute(delete(source))
        kept = select(*(copy.c[c] for c in cols)).where(copy.c.backup_id == backup_id)
        conn.execute(insert(source).from_select(cols, kept))
        restored[name] = int(conn.execute(select(func.count()).select_from(source)).scalar_one())
    for table in EVENT_RESULTS:
        conn.execute(delete(table).where(table.c.payment_event_id == event_id))
    conn.execute(
        delete(t.over_and_under_payment_stg).where(
            t.over_and_under_payment_stg.c.payment_event_id == event_id,
            t.over_and_under_payment_stg.c.mode == "final",
        )
    )
    conn.execute(
        update(t.payment_event)
        .where(t.payment_event.c.payment_event_id == event_id)
        .values(stage="DryRun", updated_at=utcnow())
    )
    conn.execute(
        update(t.backup).where(t.backup.c.backup_id == backup_id).values(restored_at=utcnow())
    )
    return restored
