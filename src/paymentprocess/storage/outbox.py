"""The outbox's SQL: add events in the caller's transaction, lease a batch to one relay, mark
what the broker confirmed, give back what it did not, and measure the backlog.

A batch is leased by one UPDATE … RETURNING: the unsent rows whose lease is free or expired, in
`outbox_id` order, skipping any row that has an earlier unsent row of the same `ordering_key` (so
one subject's events leave one at a time, in order, whichever relay publishes them). PostgreSQL
picks the rows with `FOR UPDATE SKIP LOCKED`, so two relays leasing at the same moment take
different rows without waiting for each other; SQLite's writing transaction (BEGIN IMMEDIATE)
holds the database's write lock for the one statement. The lease (`claimed_by`, `lease_until`)
is committed at once: a relay never holds a transaction open while it talks to the broker, and a
relay that dies leaves its rows to the next relay when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from paymentprocess.storage.database import is_sqlite, utcnow
from paymentprocess.storage.tables import outbox_event

box = outbox_event


@dataclass(frozen=True)
class OutboxRow:
    outbox_id: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    ordering_key: str | None


@dataclass(frozen=True)
class Backlog:
    unsent: int
    oldest_created_at: datetime | None

    def lag_seconds(self, now: datetime | None = None) -> float:
        """Age of the oldest unsent event (0 when nothing waits)."""
        if self.oldest_created_at is None:
            return 0.0
        return max(0.0, ((now or utcnow()) - self.oldest_created_at).total_seconds())


def add_events(
    conn: Connection,
    events: Sequence[tuple[str, dict[str, Any], str | None]],
    *,
    created_at: datetime,
) -> None:
    """Insert (topic, payload, ordering_key) events in the caller's transaction, in order."""
    if events:
        conn.execute(
            insert(box),
            [
                {"created_at": created_at, "topic": topic, "payload": payload, "ordering_key": key}
                for topic, payload, key in events
            ],
        )


def lease_batch(conn: Connection, owner: str, limit: int, lease_seconds: float) -> list[OutboxRow]:
    """Lease up to `limit` unsent rows to `owner` (see the module docstring); the caller commits."""
    now = utcnow()
    cand, earlier = box.alias("cand"), box.alias("earlier")
    blocked = (
        exists()
        .where(
            earlier.c.ordering_key == cand.c.ordering_key,
            earlier.c.outbox_id < cand.c.outbox_id,
            earlier.c.published_at.is_(None),
        )
        .correlate(cand)
    )
    free = or_(cand.c.lease_until.is_(None), cand.c.lease_until < now)
    pick = (
        select(cand.c.outbox_id)
        .where(cand.c.published_at.is_(None), free, ~blocked)
        .order_by(cand.c.outbox_id)
        .limit(limit)
        .correlate(None)
    )
    if not is_sqlite(conn):
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(box)
        .where(box.c.outbox_id.in_(pick.scalar_subquery()))
        .values(claimed_by=owner, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(
            box.c.outbox_id, box.c.topic, box.c.payload, box.c.created_at, box.c.ordering_key
        )
    )
    rows = [OutboxRow(*r) for r in conn.execute(stmt)]
    return sorted(rows, key=lambda r: r.outbox_id)


def mark_published(conn: Connection, ids: Sequence[int]) -> None:
    """The broker confirmed these rows: they are sent (whoever holds their lease now)."""
    if ids:
        conn.execute(
            update(box)
            .where(box.c.outbox_id.in_(list(ids)), box.c.published_at.is_(None))
            .values(published_at=utcnow(), claimed_by=None, lease_until=None)
        )


def release(conn: Connection, ids: Sequence[int], owner: str) -> None:
    """Give back rows `owner` leased but could not publish (the next batch takes them)."""
    if ids:
        conn.execute(
            update(box)
            .where(
                box.c.outbox_id.in_(list(ids)),
                and_(box.c.claimed_by == owner, box.c.published_at.is_(None)),
            )
            .values(claimed_by=None, lease_until=None)
        )


def backlog(conn: Connection) -> Backlog:
    """How many events wait, and since when (reads the unsent rows' partial index only)."""
    count, oldest = conn.execute(
        select(func.count(), func.min(box.c.created_at)).where(box.c.published_at.is_(None))
    ).one()
    return Backlog(int(count), oldest)
