"""Backups before a Final Run, and restore of the latest Final Run.

PaymentCenter, OverAndUnderPayment (with its applications) and SequenceNumbers are copied row for
row into `backup_<table>` under a new backup id, and the event's stage into `backup_event` (with,
at the end of the run, the sequence values it left). ClaimFinCore is never modified by a run
(results are inserted into claim_result, tagged with the event; line payments are a view over
it), so its backup is the fact that the event had no results; restore removes the event's rows.

A restore puts whole tables back, so it may only undo the *latest* Final Run, and only while
nothing else has changed what it puts back (docs/reliability.md, "Restore"): it refuses, naming
them, when a later Final Run (a backup not restored since) exists, when payees, ledger records or
applications were added by anything but this run, when a sequence moved since the run, or when
claims this run held were assigned to another event since. A refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.faults import checkpoint
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
    ev = t.payment_event
    stage, updated_at = conn.execute(
        select(ev.c.stage, ev.c.updated_at).where(ev.c.payment_event_id == payment_event_id)
    ).one()
    conn.execute(
        insert(t.backup_event).values(backup_id=backup_id, stage=stage, updated_at=updated_at)
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


def note_sequences_after(conn: Connection, backup_id: int, values: dict[str, int]) -> None:
    """At the end of the Final Run: the sequence values it left (a restore compares them)."""
    conn.execute(
        update(t.backup_event)
        .where(t.backup_event.c.backup_id == backup_id)
        .values(sequences_after=dict(sorted(values.items())))
    )


@dataclass
class Restored:
    """What a restore did."""

    backup_id: int
    payment_event_id: str
    stage: str  # the event's stage again, as before its Final Run
    rows: dict[str, int]  # table → rows after the restore, or rows removed (event results)
    stale_dry_runs: list[str] = field(default_factory=list)  # other events' Dry Runs to redo


def backup_event_id(conn: Connection, backup_id: int) -> str:
    """The event whose Final Run took `backup_id` (NotFoundError if there is no such backup)."""
    event = conn.execute(
        select(t.backup.c.payment_event_id).where(t.backup.c.backup_id == backup_id)
    ).scalar_one_or_none()
    if event is None:
        raise NotFoundError(f"backup {backup_id} does not exist")
    return str(event)


def restore_backup(
    conn: Connection, backup_id: int, *, force_issued: str | None = None
) -> Restored:
    """Undo the Final Run that took `backup_id`, if it is the latest and nothing else changed
    what it wrote; else RunRefusedError naming why (the caller rolls back: nothing changed).

    Once the event's payment files were issued (`paymentprocess outputs`), money may have left:
    refused unless `force_issued` gives the reason, which is recorded on every issued file of
    the event (status `superseded`, OUTPUTS.md O-6)."""
    row = conn.execute(select(t.backup).where(t.backup.c.backup_id == backup_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"backup {backup_id} does not exist")
    if row["restored_at"] is not None:
        raise RunRefusedError(f"backup {backup_id} was already restored at {row['restored_at']}")
    event_id = str(row["payment_event_id"])
    before = (
        conn.execute(select(t.backup_event).where(t.backup_event.c.backup_id == backup_id))
        .mappings()
        .first()
    )
    _refuse_unless_latest(conn, backup_id, event_id, row)
    _refuse_if_changed_since(conn, backup_id, event_id, before)
    _refuse_if_issued(conn, event_id, force_issued)
    checkpoint("restore:after-checks")
    restored: dict[str, int] = {}
    for name, copy in t.backup_copies.items():
        source = t.metadata.tables[name]
        cols = [c.name for c in source.columns]
        kept = select(*(copy.c[c] for c in cols)).where(copy.c.backup_id == backup_id)
        if source is t.sequence_numbers:
            conn.execute(delete(source).where(_rewound(source.c.name)))
            kept = kept.where(_rewound(copy.c.name))
        else:
            conn.execute(delete(source))
        conn.execute(insert(source).from_select(cols, kept))
        restored[name] = int(conn.execute(select(func.count()).select_from(source)).scalar_one())
        checkpoint(f"restore:after-{name}")
    for table in EVENT_RESULTS:
        removed = conn.execute(delete(table).where(table.c.payment_event_id == event_id)).rowcount
        restored[f"{table.name} removed"] = int(removed)
    conn.execute(
        delete(t.over_and_under_payment_stg).where(
            t.over_and_under_payment_stg.c.payment_event_id == event_id,
            t.over_and_under_payment_stg.c.mode == "final",
        )
    )
    checkpoint("restore:after-results")
    stage = str(before["stage"]) if before is not None else "DryRun"
    updated_at = before["updated_at"] if before is not None else utcnow()
    conn.execute(
        update(t.payment_event)
        .where(t.payment_event.c.payment_event_id == event_id)
        .values(stage=stage, updated_at=updated_at)
    )
    conn.execute(
        update(t.backup).where(t.backup.c.backup_id == backup_id).values(restored_at=utcnow())
    )
    checkpoint("restore:after-stage")
    return Restored(backup_id, event_id, stage, restored, _stale_dry_runs(conn, event_id, row))


def _refuse_if_issued(conn: Connection, event_id: str, force_issued: str | None) -> None:
    f, item = t.output_file, t.output_item
    issued = select(f.c.output_file_id).where(
        f.c.payment_event_id == event_id, f.c.status == "issued"
    )
    count = int(conn.execute(select(func.count()).select_from(issued.subquery())).scalar_one())
    if not count:
        return
    if force_issued is None:
        raise RunRefusedError(
            f"payment event {event_id!r} has {count} issued payment file(s) (835, NACHA, checks): "
            "money may already have left, so its Final Run is not undone. If the files were "
            "never sent, or were recalled, restore with --force-issued REASON (recorded on "
            "the files)."
        )
    why = f"event restored from its backup (forced): {force_issued}"
    conn.execute(update(item).where(item.c.output_file_id.in_(issued)).values(status="superseded"))
    conn.execute(
        update(f)
        .where(f.c.payment_event_id == event_id, f.c.status == "issued")
        .values(status="superseded", reason=why)
    )


def _when(value: Any) -> str:
    return str(value)[:19] if value is not None else "?"


def _final_run_of(conn: Connection, event_id: str, taken_at: Any) -> str:
    """'run N at <time>': the Completed Final Run of `event_id` that took a backup at `taken_at`
    (it started before the backup and committed the backup with its stats)."""
    st = t.payment_event_stats
    run = conn.execute(
        select(st.c.run_id, st.c.finished_at)
        .where(
            st.c.payment_event_id == event_id,
            st.c.mode == "final",
            st.c.status == "Completed",
            st.c.started_at <= taken_at,
        )
        .order_by(st.c.run_id.desc())
        .limit(1)
    ).first()
    return "run ?" if run is None else f"run {run.run_id} at {_when(run.finished_at)}"


def _refuse_unless_latest(conn: Connection, backup_id: int, event_id: str, row: Any) -> None:
    """Only the latest Final Run: every Final Run after it (a backup not restored) used the
    payees, ledger records and sequences this restore would put back."""
    bk = t.backup
    later = conn.execute(
        select(bk.c.backup_id, bk.c.payment_event_id, bk.c.created_at)
        .where(bk.c.backup_id > backup_id, bk.c.restored_at.is_(None))
        .order_by(bk.c.backup_id.desc())
    ).all()
    if not later:
        ev_stage = conn.execute(
            select(t.payment_event.c.stage).where(t.payment_event.c.payment_event_id == event_id)
        ).scalar_one_or_none()
        if ev_stage != "Final":
            raise RunRefusedError(
                f"backup {backup_id} of {event_id} cannot be restored: the event is at stage "
                f"{ev_stage!r}, not Final. Nothing was changed."
            )
        return
    runs = "; ".join(
        f"{b.payment_event_id} ({_final_run_of(conn, b.payment_event_id, b.created_at)}, "
        f"backup {b.backup_id})"
        for b in later
    )
    mine = _final_run_of(conn, event_id, row["created_at"])
    raise RunRefusedError(
        f"backup {backup_id} ({event_id}, {mine}) is not the latest Final Run: later Final Runs "
        f"used the payees, ledger records and sequences it would put back — {runs}. "
        "Only the latest Final Run can be restored: restore the later ones first, latest first "
        f"(paymentprocess restore --backup {later[0].backup_id}). Nothing was changed."
    )


def _added_or_removed(
    conn: Connection, table: Table, key: str, backup_id: int, by_run: ColumnElement[bool]
) -> tuple[int, int]:
    """Rows of `table` added since the backup by anything but the run, and rows removed."""
    copy = t.backup_copies[table.name]
    in_copy = select(copy.c[key]).where(copy.c.backup_id == backup_id)
    added = conn.execute(
        select(func.count()).select_from(table).where(table.c[key].not_in(in_copy), ~by_run)
    ).scalar_one()
    removed = conn.execute(
        select(func.count())
        .select_from(copy)
        .where(
            copy.c.backup_id == backup_id,
            copy.c[key].not_in(select(table.c[key])),
        )
    ).scalar_one()
    return int(added), int(removed)


def _of_event(column: Column[Any], event_id: str) -> ColumnElement[bool]:
    return and_(column.is_not(None), column == event_id)


def _refuse_if_changed_since(conn: Connection, backup_id: int, event_id: str, before: Any) -> None:
    """Nothing but the Final Run changed what the restore puts back (a load adding payees or
    ledger records, `sequence set`, `event create` taking the claims the run held)."""
    changes: list[str] = []
    for table, key, by_run, what in (
        (
            t.payment_center,
            "payment_center_id",
            _of_event(t.payment_center.c.created_payment_event_id, event_id),
            "payees",
        ),
        (
            t.over_and_under_payment,
            "over_and_under_payment_id",
            _of_event(t.over_and_under_payment.c.payment_event_id, event_id),
            "ledger records",
        ),
        (
            t.over_and_under_payment_application,
            "application_id",
            _of_event(t.over_and_under_payment_application.c.payment_event_id, event_id),
            "ledger applications",
        ),
    ):
        added, removed = _added_or_removed(conn, table, key, backup_id, by_run)
        if added:
            changes.append(f"{added} {what} added by something else (a load?)")
        if removed:
            changes.append(f"{removed} {what} of the backup removed")
    changes += _moved_sequences(conn, backup_id, before)
    moved = conn.execute(
        select(t.claim_fin_core.c.payment_event_id, func.count())
        .join(t.claim_result, t.claim_result.c.claim_core_id == t.claim_fin_core.c.claim_core_id)
        .where(
            t.claim_result.c.payment_event_id == event_id,
            func.coalesce(t.claim_fin_core.c.payment_event_id, "") != event_id,
        )
        .group_by(t.claim_fin_core.c.payment_event_id)
        .order_by(t.claim_fin_core.c.payment_event_id)
    ).all()
    changes += [f"{n} of its claims now assigned to event {ev}" for ev, n in moved]
    if changes:
        raise RunRefusedError(
            f"backup {backup_id} of {event_id} cannot be restored: since its Final Run "
            + "; ".join(changes)
            + ". A restore would undo that too. Nothing was changed."
        )


# Sequences of issued files (ISA13s, NACHA file-id modifiers): a number that reached a
# clearinghouse or bank is never used again, so a restore neither checks nor rewinds them.
NEVER_REWOUND = ("InterchangeControl:", "AchFileId:")


def _rewound(name: Any) -> ColumnElement[bool]:
    return and_(*(~name.startswith(prefix) for prefix in NEVER_REWOUND))


def _moved_sequences(conn: Connection, backup_id: int, before: Any) -> list[str]:
    """Sequences whose value is not what the backup holds or, for the ones the Final Run
    advanced, what it left: moved since by `sequence set`, or created by a load. A backup whose
    run recorded no values (taken by an older version) is not checked here."""
    recorded = before["sequences_after"] if before is not None else None
    if not recorded:
        return []
    copy = t.backup_copies["sequence_numbers"]
    expected = {
        str(r.name): int(r.value)
        for r in conn.execute(
            select(copy.c.name, copy.c.value).where(copy.c.backup_id == backup_id)
        )
    }
    expected.update({str(k): int(v) for k, v in recorded.items()})
    now = {
        str(r.name): int(r.value)
        for r in conn.execute(select(t.sequence_numbers).where(_rewound(t.sequence_numbers.c.name)))
    }
    expected = {k: v for k, v in expected.items() if not k.startswith(NEVER_REWOUND)}
    moved = [
        f"sequence {name} is {now[name]} (the Final Run left {value})"
        for name, value in sorted(expected.items())
        if name in now and now[name] != value
    ]
    moved += [f"sequence {name} was removed" for name in sorted(set(expected) - set(now))]
    moved += [f"sequence {name} was created" for name in sorted(set(now) - set(expected))]
    return moved


def _stale_dry_runs(conn: Connection, event_id: str, row: Any) -> list[str]:
    """Other events whose last Dry Run came after the backup: it was computed with the payees,
    ledger and sequences the restore took back, so it should be run again."""
    st = t.payment_event_stats
    events = conn.execute(
        select(st.c.payment_event_id)
        .where(
            st.c.mode == "dry-run",
            st.c.payment_event_id != event_id,
            st.c.started_at >= row["created_at"],
        )
        .distinct()
        .order_by(st.c.payment_event_id)
    ).scalars()
    return [str(e) for e in events]
