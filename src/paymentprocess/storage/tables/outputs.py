"""Payment outputs (835, NACHA, check register, Positive Pay; /work/shared/OUTPUTS.md §1): the
files written for an event, their items, and what each 835 said (remittance, its PLB entries).
The payer (`payer`) is reference data (storage.tables.reference_data)."""

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
    Text,
)

from paymentprocess.storage.tables.base import AutoId, Money, metadata, unique_where

# Re-issuing marks the old row `superseded` (with `reason`, `superseded_by`), never deletes it.
output_file = Table(
    "output_file",
    metadata,
    Column("output_file_id", AutoId, primary_key=True, autoincrement=True),
    Column("payment_event_id", String, nullable=False),
    Column("kind", String, nullable=False),  # 835 | ACH | CHECK_REGISTER | POSITIVE_PAY | FHIR_PR
    Column("scope", String),  # FundingSource_ID or PaymentCenter_ID the file is for
    Column("file_name", String, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("control", JSON),
    Column("sha256", String),
    Column("size", BigInteger),
    Column("status", String, nullable=False),  # issued | superseded
    Column("reason", Text),  # why it was re-issued
    Column("superseded_by", BigInteger),  # the output_file_id that replaced it
    Index(None, "payment_event_id", "kind"),
)

# The items of each file (O-3): a payment (ACH entry, check, positive-pay row: Payment_ID) or a
# remittance ("<PaymentEvent_ID>:<PaymentCenter_ID>": 835, FHIR). `status` mirrors its file's:
# an item is in at most one *issued* file per kind (the partial unique index); a re-issue marks
# the old file's items `superseded` and inserts the new file's in the same transaction, so the
# history of every item stays.
output_item = Table(
    "output_item",
    metadata,
    Column("output_file_id", BigInteger, nullable=False),
    Column("kind", String, nullable=False),
    Column("item_id", String, nullable=False),
    Column("trace_number", String),  # ACH entry trace (ODFI + sequence), for returns and NOCs
    Column("status", String, nullable=False),  # issued | superseded
    Index(None, "output_file_id"),
    unique_where("ix_output_item_issued_once", "kind", "item_id", where=("status", "issued")),
)

# What each 835 said (later reversals and forward balances refer to it): one per remittance id.
remittance = Table(
    "remittance",
    metadata,
    Column("remit_id", String, primary_key=True),  # "<PaymentEvent_ID>:<PaymentCenter_ID>"
    Column("payment_event_id", String, nullable=False),
    Column("payment_center_id", BigInteger, nullable=False),
    Column("payment_id", String),  # NULL for a zero-pay (BPR*H) remittance
    Column("trn02", String, nullable=False),
    Column("bpr01", String, nullable=False),  # I | H
    Column("bpr04", String, nullable=False),  # ACH | CHK | NON
    Money("amount", nullable=False),  # BPR02
    Column("output_file_id", BigInteger),
    Index(None, "payment_center_id"),
    Index(None, "payment_event_id"),
)

remittance_plb = Table(
    "remittance_plb",
    metadata,
    Column("remit_id", String, nullable=False),
    Column("seq", Integer, nullable=False),  # order within the remittance (OUTPUTS.md §3.5)
    Column("reason", String, nullable=False),  # L6 | E3 | 72 | FB | WO
    Column("reference", String),
    Money("amount", nullable=False),  # PLB sign: positive decreases the payment
    PrimaryKeyConstraint("remit_id", "seq"),
)
