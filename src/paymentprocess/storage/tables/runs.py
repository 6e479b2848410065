"""What runs write: Final Run results (insert-only: claim_result, payment_register, the
service_line_payment view), every run's stats document, the Dry Run's working sets, the ledger
staging rows of both modes, and the API's run jobs."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from paymentprocess.domain.payee_result import FIELDS as PAYEE_RESULT_FIELDS
from paymentprocess.storage.tables.base import AutoId, Money, metadata, unique_where
from paymentprocess.storage.tables.claims import claim_columns

# --- Final Run results (insert-only) ---------------------------------------------------------

claim_result = Table(
    "claim_result",
    metadata,
    Column("payment_event_id", String, nullable=False),
    Column("claim_core_id", String, nullable=False),
    Column("payment_center_id", BigInteger),
    Column("outcome", String, nullable=False),  # paid | held | excluded
    Column("hold_reason", String),
    Money("payable", nullable=False),
    Money("net", nullable=False),
    Money("interest", nullable=False),
    PrimaryKeyConstraint("payment_event_id", "claim_core_id"),
    unique_where("ix_claim_result_paid_once", "claim_core_id", where=("outcome", "paid")),
)

payment_register = Table(
    "payment_register",
    metadata,
    Column("payment_id", String, primary_key=True),  # "<PaymentEvent_ID>:<PaymentCenter_ID>"
    Column("payment_event_id", String, nullable=False),
    Column("payment_center_id", BigInteger, nullable=False),
    Money("amount", nullable=False),
    Column("method", String, nullable=False),  # CHECK | EFT
    Column("check_number", String, nullable=False),
    Column("payment_date", Date, nullable=False),
    Index(None, "payment_event_id"),
)

payment_event_stats = Table(
    "payment_event_stats",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("payment_event_id", String, nullable=False),
    Column("mode", String, nullable=False),  # dry-run | final
    Column("status", String, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("document", JSON, nullable=False),
    Column("started_by", String),  # the user who started the run (None: no users, or before 0006)
    Index(None, "payment_event_id"),
)

# --- Dry Run working sets --------------------------------------------------------------------

payment_event_ws = Table(
    "payment_event_ws",
    metadata,
    Column("payment_event_id", String, primary_key=True),
    Column("business_id", String),
    Column("inclusion_criteria_id", String),
    Column("funding_source_id", String),
    Column("payment_due_date", Date),
    Column("payment_event_type", String),
    Column("run_id", Integer),
    Column("refreshed_at", DateTime),
)

payment_event_ws_payee = Table(
    "payment_event_ws_payee",
    metadata,
    Column("payment_event_id", String, nullable=False),
    Column("payee_key", String, nullable=False),
    Column("payment_center_id", BigInteger),  # NULL for a payee the Final Run will create
    *(  # domain.payee_result: one column per field, in its order
        Money(f.name, nullable=False) if f.money else Column(f.name, BigInteger, nullable=False)
        for f in PAYEE_RESULT_FIELDS
    ),
    PrimaryKeyConstraint("payment_event_id", "payee_key"),
)

claim_ws_core = Table(  # the Dry Run's copy of the cycle's claims, as they were at the Dry Run
    "claim_ws_core",
    metadata,
    *claim_columns(),
    PrimaryKeyConstraint("payment_event_id", "claim_core_id"),
)

claim_ws_result = Table(  # the Dry Run's claim-level estimates (one row per claim of claim_ws_core)
    "claim_ws_result",
    metadata,
    Column("payment_event_id", String, nullable=False),
    Column("claim_core_id", String, nullable=False),
    Column("payee_key", String),
    Column("payment_center_id", BigInteger),
    Column("outcome", String, nullable=False),  # paid | held | excluded (estimated)
    Column("hold_reason", String),
    Money("estimate", nullable=False),  # claim payable estimated from header totals
    Money("net", nullable=False),
    Money("interest", nullable=False),
    PrimaryKeyConstraint("payment_event_id", "claim_core_id"),
)

payment_center_ws = Table(
    "payment_center_ws",
    metadata,
    Column("payment_event_id", String, nullable=False),
    Column("payee_key", String, nullable=False),
    Column("payment_center_id", BigInteger),
    Column("flag", String, nullable=False),  # OLD | NEW
    Column("payment_center_type", String, nullable=False),
    Column("tax_id", String),
    Column("npi", String),
    Column("member_id", String),
    Column("vendor_name", String),
    Column("contract_type", String),
    Column("payment_method", String),
    PrimaryKeyConstraint("payment_event_id", "payee_key"),
)

over_and_under_payment_stg = Table(
    "over_and_under_payment_stg",
    metadata,
    Column("stg_id", AutoId, primary_key=True, autoincrement=True),
    Column("payment_event_id", String, nullable=False),
    Column("mode", String, nullable=False),  # dry-run | final
    Column("payee_key", String, nullable=False),
    Column("payment_center_id", BigInteger),
    Column("over_and_under_payment_id", BigInteger),  # the record applied, or the new record's id
    Column(
        "action", String, nullable=False
    ),  # carry_in|refund|offset|new_overpayment|new_underpayment
    Money("amount", nullable=False),
    Column("refund_id", String),
    Index(None, "payment_event_id"),
)

run_job = Table(
    "run_job",
    metadata,
    Column("job_id", String, primary_key=True),
    Column("payment_event_id", String, nullable=False),
    Column("mode", String, nullable=False),
    Column("state", String, nullable=False),  # queued | running | done | failed
    Column("exit_code", Integer),
    Column("run_id", Integer),
    Column("message", Text),
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Index(None, "payment_event_id", "state"),
)


# Service-line payments of Final Runs, as a view: a line's payable is a pure function of its
# amounts, and lines are never updated, so storing 3M result rows per cycle would only cost time.
# The engine computes the same formula (engine/compute.py); tests compare the two.
SERVICE_LINE_PAYMENT_VIEW = """
CREATE VIEW service_line_payment AS
SELECT r.payment_event_id, sl.claim_core_id, sl.line_number,
       CASE WHEN sl.allowed_amount - sl.deductible_amount - sl.coinsurance_amount
                 - sl.copay_amount - sl.other_adjustment_amount > 0
            THEN sl.allowed_amount - sl.deductible_amount - sl.coinsurance_amount
                 - sl.copay_amount - sl.other_adjustment_amount
            ELSE 0 END AS payable
FROM claim_result r JOIN service_line sl ON sl.claim_core_id = r.claim_core_id
WHERE r.outcome = 'paid'
"""
VIEWS = {"service_line_payment": SERVICE_LINE_PAYMENT_VIEW}
