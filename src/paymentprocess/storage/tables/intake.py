"""The claims service (HTTP intake): provider aggregates, the outbox of events to publish (and
the reference consumer's record of what it applied), and idempotency keys of accepted
requests."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from paymentprocess.storage.tables.base import AutoId, Money, metadata

provider_aggregate = Table(
    "provider_aggregate",
    metadata,
    Column("provider_npi", String, primary_key=True),
    Column("claim_count", BigInteger, nullable=False),
    Money("total_net_fee", nullable=False),
    Index(None, "total_net_fee", "provider_npi"),
)

# Events for other systems (the transactional outbox, docs/events.md): written in the
# transaction of what they tell (a claim's intake, a run), relayed to the broker by
# `paymentprocess relay` (service/messaging/relay.py). `published_at` is set only after the
# broker confirmed the message; `ordering_key` (a claim id, a payment event) keeps one subject's
# events in order; a relay leases the rows it is publishing (`claimed_by`, `lease_until`).
_UNSENT = Column("published_at").is_(None)
outbox_event = Table(
    "outbox_event",
    metadata,
    Column("outbox_id", AutoId, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("topic", String, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("published_at", DateTime),
    Column("ordering_key", String),  # revision 0005
    Column("claimed_by", String),
    Column("lease_until", DateTime),
    Index("ix_outbox_event_unsent", "outbox_id", sqlite_where=_UNSENT, postgresql_where=_UNSENT),
    Index(
        "ix_outbox_event_unsent_key",
        "ordering_key",
        "outbox_id",
        sqlite_where=_UNSENT,
        postgresql_where=_UNSENT,
    ),
)

# The reference consumer (service/messaging/consumer.py): the messages each consumer (its queue
# name) has applied, by the broker's message_id (= outbox_id), written in the same transaction
# as the effect, so a redelivered message has no second effect.
consumer_message = Table(
    "consumer_message",
    metadata,
    Column("consumer", String, nullable=False),
    Column("message_id", String, nullable=False),
    Column("event_type", String, nullable=False),
    Column("received_at", DateTime, nullable=False),
    PrimaryKeyConstraint("consumer", "message_id"),
)

# The reference effect of the downstream payments side: one row per event applied (the claim's
# net fee to pay, a payment issued, a run's total). Deliberately not unique on the subject: a
# message applied twice would show as two rows (the tests count them).
consumer_effect = Table(
    "consumer_effect",
    metadata,
    Column("effect_id", AutoId, primary_key=True, autoincrement=True),
    Column("consumer", String, nullable=False),
    Column("event_type", String, nullable=False),
    Column("subject_id", String, nullable=False),  # claim id, Payment_ID or PaymentEvent_ID
    Money("amount"),
    Column("applied_at", DateTime, nullable=False),
    Index(None, "consumer", "subject_id"),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("key", String, primary_key=True),
    Column("request_hash", String, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
