"""The claims service (HTTP intake): provider aggregates, the outbox of events to publish, and
idempotency keys of accepted requests."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table

from paymentprocess.storage.tables.base import AutoId, Money, metadata

provider_aggregate = Table(
    "provider_aggregate",
    metadata,
    Column("provider_npi", String, primary_key=True),
    Column("claim_count", BigInteger, nullable=False),
    Money("total_net_fee", nullable=False),
    Index(None, "total_net_fee", "provider_npi"),
)

outbox_event = Table(
    "outbox_event",
    metadata,
    Column("outbox_id", AutoId, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("topic", String, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("published_at", DateTime),
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
