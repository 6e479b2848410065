"""The carry-over ledger: OverAndUnderPayment → over_and_under_payment, and the applications a
run makes to its records (insert-only: a record's RemainingAmount is its opening remaining minus
the sum of its applications)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, String, Table

from paymentprocess.storage.tables.base import AutoId, Money, extra_json, metadata

over_and_under_payment = Table(
    "over_and_under_payment",
    metadata,
    Column("over_and_under_payment_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payment_center_id", BigInteger, nullable=False),
    Column("payment_event_id", String),  # the cycle that created it
    Column("type", String, nullable=False),  # OverPayment | UnderPayment
    Money("total_amount", nullable=False),
    Money("opening_remaining_amount", nullable=False),  # as loaded or created; minus applications
    Column("created_date", Date),
    Column("claim_chain_id", String),  # ParentClaimCore_ID whose net created it, when one did
    extra_json(),
    Index(None, "payment_center_id", "type"),
)

over_and_under_payment_application = Table(
    "over_and_under_payment_application",
    metadata,
    Column("application_id", AutoId, primary_key=True, autoincrement=True),
    Column("over_and_under_payment_id", BigInteger, nullable=False),
    Column("payment_event_id", String, nullable=False),
    Column("kind", String, nullable=False),  # offset | refund | carry_in
    Money("amount", nullable=False),
    Column("refund_id", String),
    Index(None, "over_and_under_payment_id"),
    Index(None, "payment_event_id"),
    Index(None, "refund_id"),
)
