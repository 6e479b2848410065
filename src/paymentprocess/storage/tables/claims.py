"""Events, payees and claims: PaymentEvent → payment_event, PaymentCenter → payment_center,
ClaimFinCore → claim_fin_core (+ its ServiceLines in service_line), Refund → refund, and the
claim list's counts per billing provider (kept by triggers, storage.claim_counts).

Final Runs never UPDATE claims: a claim's Status/PaidAmount is its imported value overlaid with
its `claim_result` row of outcome `paid` (storage.claims_view)."""

from __future__ import annotations

from typing import Any

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
    UniqueConstraint,
)

from paymentprocess.domain.columns import BILLING_ADDRESS, MONEY, PAYEE_ADDRESS
from paymentprocess.storage.claim_span import service_span_days
from paymentprocess.storage.tables.base import Money, extra_json, metadata

PAYMENT_CENTER_OUTPUT = (
    "bank_account_type",  # C checking | S savings
    "name_first",
    "name_last",
    "era_receiver_qualifier",
    "era_receiver_id",
)
CLAIM_PATIENT = ("patient_control_number", "patient_first_name", "patient_last_name")

payment_event = Table(
    "payment_event",
    metadata,
    Column("payment_event_id", String, primary_key=True),
    Column("business_id", String),
    Column("inclusion_criteria_id", String),
    Column("funding_source_id", String),
    Column("payment_due_date", Date, nullable=False),
    Column("payment_event_type", String, nullable=False),  # Provider | DMR
    Column("stage", String, nullable=False),  # New | DryRun | Final
    Column("claims_fingerprint", String),  # of the cycle's claims at the last Dry Run
    Column("updated_at", DateTime),
    extra_json(),
)

payment_center = Table(
    "payment_center",
    metadata,
    Column("payment_center_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payment_center_type", String, nullable=False),  # Provider | Member
    Column("payee_key", String, nullable=False),  # "TaxID|NPI" or "MemberID"
    Column("tax_id", String),
    Column("npi", String),
    Column("member_id", String),
    Column("vendor_name", String),
    *(Column(name, String) for name in PAYEE_ADDRESS),
    Column("contract_type", String),
    Column("payment_method", String),  # CHECK | EFT
    Column("bank_routing_number", String),
    Column("bank_account_number", String),
    Column("created_payment_event_id", String),  # set when a Final Run created it
    extra_json(),
    UniqueConstraint("payment_center_type", "payee_key"),
    *(Column(name, String) for name in PAYMENT_CENTER_OUTPUT),
)

CLAIM_MONEY = MONEY  # the six amounts of a claim header and of a line (domain.columns)


def claim_columns() -> list[Column[Any]]:
    """The columns of a claim, shared by claim_fin_core and the Dry Run's copy, claim_ws_core."""
    return [
        Column("claim_core_id", String, nullable=False),
        Column("parent_claim_core_id", String),
        Column("frequency_code", String),  # kept as given; validation flags codes not in 1/7/8
        Column("payment_event_id", String),
        Column("status", String, nullable=False),  # Unpaid | Paid (as imported)
        Money("paid_amount"),
        Column("paid_payment_event_id", String),
        Column("tax_id", String),
        Column("npi", String),
        Column("member_id", String),
        Column("billing_provider_name", String),
        Column("billing_provider_address", String),  # as given, when given as text
        *(Column(name, String) for name in BILLING_ADDRESS),  # the parts: given, or parsed
        Column("contract_type", String),
        Column("benefit_plan_id", String),
        Column("received_date", Date),
        Column("service_begin_date", Date),
        Column("service_end_date", Date),
        Column("void_claim_core_id", String),
        Column("original_claim_core_id", String),
        Column("process_codes", JSON),  # list of ProcessCodeEx codes
        *(Money(name) for name in CLAIM_MONEY),  # header totals; NULL = sum of the lines
        *(Column(name, String) for name in CLAIM_PATIENT),
    ]


# The claim list (service/claims/listing.py) pages by (service_begin_date, claim_core_id) per TIN or
# NPI; on PostgreSQL the end date rides along in those indexes (INCLUDE) so that the edge COUNT
# of a date range's total is an index-only scan. The span indexes give the provider's longest service period in one
# lookup, which bounds a date range's index scan (storage.claim_span).
claim_fin_core = Table(
    "claim_fin_core",
    metadata,
    *claim_columns(),
    Column("claim_reference", String),  # intake: the caller's reference, unique when given
    Column("created_at", DateTime),
    extra_json(),
    PrimaryKeyConstraint("claim_core_id"),
    UniqueConstraint("claim_reference"),
    Index(None, "payment_event_id"),
    Index(None, "parent_claim_core_id"),
    Index(
        None,
        "tax_id",
        "service_begin_date",
        "claim_core_id",
        postgresql_include=["service_end_date"],
    ),
    Index(
        None, "npi", "service_begin_date", "claim_core_id", postgresql_include=["service_end_date"]
    ),
    Index(None, "member_id"),
    Index(None, "status", "payment_event_id"),
)
Index(
    "ix_claim_fin_core_tax_id_service_span",
    claim_fin_core.c.tax_id,
    service_span_days(claim_fin_core.c.service_begin_date, claim_fin_core.c.service_end_date),
)
Index(
    "ix_claim_fin_core_npi_service_span",
    claim_fin_core.c.npi,
    service_span_days(claim_fin_core.c.service_begin_date, claim_fin_core.c.service_end_date),
)

# Claims per billing provider that the claim list can show (service_begin_date not NULL), kept by
# triggers on claim_fin_core (storage.claim_counts), so no writer has to know: `kind` is "tin" or
# "npi", `provider` the TIN or NPI. The exact total of an unfiltered claim list is one row here.
claim_provider_count = Table(
    "claim_provider_count",
    metadata,
    Column("kind", String, nullable=False),
    Column("provider", String, nullable=False),
    Column("claims", BigInteger, nullable=False),
    PrimaryKeyConstraint("kind", "provider"),
)

# The same per service begin date: a date range's total sums the days inside the range instead
# of counting claims (storage.claim_counts, service/claims/listing_sql.py total_statement).
claim_day_count = Table(
    "claim_day_count",
    metadata,
    Column("kind", String, nullable=False),
    Column("provider", String, nullable=False),
    Column("service_begin_date", Date, nullable=False),
    Column("claims", BigInteger, nullable=False),
    PrimaryKeyConstraint("kind", "provider", "service_begin_date"),
)

# SQLite only (PostgreSQL uses a transaction-local setting): while a bulk writer's transaction
# holds a row here, the claim count triggers skip (storage.claim_counts, storage.bulk_counts). The
# writer deletes its row before it commits, so a committed database never holds one.
claim_count_bulk = Table(
    "claim_count_bulk",
    metadata,
    Column("flag", Integer, nullable=False, autoincrement=False),
    PrimaryKeyConstraint("flag"),
)

service_line = Table(
    "service_line",
    metadata,
    Column("claim_core_id", String, nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("procedure_code", String),
    Column("quadrant", String),
    Column("units", Integer),
    Column("service_date", Date),
    *(Money(name, nullable=False) for name in CLAIM_MONEY),
    extra_json(),
    # The line's own (rendering) provider NPI; the claim's `npi` is its billing provider. Intake,
    # `load` and `generate` always fill it (the claim's NPI when a line names none); NULL, from a
    # writer that does not know the column, reads as the claim's NPI. Last, where revision 0003
    # added it.
    Column("provider_npi", String),
    PrimaryKeyConstraint("claim_core_id", "line_number"),
    Column("line_item_control_number", String),  # REF*6R
    Column("modifiers", JSON),  # list of procedure modifiers (2 characters each, at most 4)
)

refund = Table(
    "refund",
    metadata,
    Column("refund_id", String, primary_key=True),
    Column("original_claim_core_id", String, nullable=False),
    Money("amount", nullable=False),
    Column("received_date", Date),
    # What was applied of it before this system (the legacy system's applications, or an
    # imported AppliedAmount); applications made here are over_and_under_payment_application rows.
    Column("opening_applied_amount", BigInteger, nullable=False, server_default="0"),
    extra_json(),
    Index(None, "original_claim_core_id"),
)
