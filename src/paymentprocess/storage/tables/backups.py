"""Backups of a Final Run: one `backup` row per run, the event as it was (`backup_event`), and a
`backup_<table>` copy of each table a Final Run changes (engine/backup.py, `restore`)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table

from paymentprocess.storage.tables.base import metadata
from paymentprocess.storage.tables.claims import payment_center
from paymentprocess.storage.tables.ledger import (
    over_and_under_payment,
    over_and_under_payment_application,
)
from paymentprocess.storage.tables.reference_data import sequence_numbers

backup = Table(
    "backup",
    metadata,
    Column("backup_id", Integer, primary_key=True, autoincrement=True),
    Column("payment_event_id", String, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("restored_at", DateTime),
    Column("row_counts", JSON, nullable=False),  # table → rows copied
)

# What a restore needs besides the table copies: the event as it was before its Final Run (stage,
# updated_at) and the sequence values the run left (written at the end of the Final Run), so that
# a restore can tell whether anything else moved a sequence since (engine/backup.py).
backup_event = Table(
    "backup_event",
    metadata,
    Column("backup_id", Integer, primary_key=True, autoincrement=False),
    Column("stage", String, nullable=False),
    Column("updated_at", DateTime),
    Column("sequences_after", JSON),  # name → value, as the Final Run left them
)


def _backup_copy(source: Table) -> Table:
    """A table holding copies of `source` rows per backup (no keys: a snapshot, not live data)."""
    copies = [Column(c.name, c.type, nullable=True) for c in source.columns]
    return Table(
        f"backup_{source.name}",
        metadata,
        Column("backup_id", Integer, nullable=False, index=True),
        *copies,
    )


BACKED_UP = (
    payment_center,
    over_and_under_payment,
    over_and_under_payment_application,
    sequence_numbers,
)
backup_copies: dict[str, Table] = {src.name: _backup_copy(src) for src in BACKED_UP}
