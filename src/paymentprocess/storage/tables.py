"""Every table of the product as SQLAlchemy 2 Core, identical on SQLite and PostgreSQL.

Seed collection → table: PaymentEvent → payment_event, ClaimFinCore → claim_fin_core (+ its
ServiceLines in service_line), PaymentCenter → payment_center, OverAndUnderPayment →
over_and_under_payment (+ over_and_under_payment_application), and so on (see docs/schema.md).

Conventions:
- Money columns are BIGINT cents (`Money`); interest rates are BIGINT parts per million.
- Dates are DATE (calendar, no zone); timestamps are UTC.
- Results of Final Runs are *inserted* (claim_result, service_line_payment, ledger applications,
  payment_register), never written with UPDATE over claims: a claim's Status/PaidAmount is its
  imported value overlaid with its `claim_result` row of outcome `paid` (see storage.claims_view).
- Every imported collection has an `extra` JSON column that keeps fields the table has no column for,
  so load → export gives back what was loaded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from paymentprocess.storage.claim_span import service_span_days

# The Alembic revision these tables are (storage/migrations/versions/): changing a table here
# needs a new revision there, and this constant names it (tests/migrations check both).
SCHEMA_REVISION = "0005"

# An auto-numbered BIGINT key; on SQLite it must be INTEGER to be the auto-numbered rowid.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def Money(name: str, *, nullable: bool = True) -> Column[Any]:  # noqa: N802 - reads as a type
    """A money column: BIGINT cents."""
    return Column(name, BigInteger, nullable=nullable)


def _extra() -> Column[Any]:
    return Column("extra", JSON, nullable=True)


# Columns added for the payment outputs (835, NACHA, checks; migration 0004), all nullable text.
PAYER_TEXT = (
    "legal_name",
    "tin",
    "payer_identifier",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_zip",
    "edi_contact_name",
    "edi_contact_phone",
    "edi_contact_email",
    "edi_contact_url",
    "isa_sender_qualifier",
    "isa_sender_id",
    "gs_sender_code",
    "usage_indicator",  # P | T
)
FUNDING_SOURCE_ACH = (
    "ach_company_id",
    "ach_company_name",
    "ach_immediate_destination",
    "ach_immediate_destination_name",
    "ach_immediate_origin",
    "ach_immediate_origin_name",
    "trn04_code",
    "positive_pay_profile",
)
PAYMENT_CENTER_OUTPUT = (
    "bank_account_type",  # C checking | S savings
    "name_first",
    "name_last",
    "era_receiver_qualifier",
    "era_receiver_id",
)
CLAIM_PATIENT = ("patient_control_number", "patient_first_name", "patient_last_name")


# --- reference and configuration -------------------------------------------------------------

business = Table(
    "business",
    metadata,
    Column("business_id", String, primary_key=True),
    Column("name", String),
    Column("custom_interest_days", Integer),
    _extra(),
)

interest_config = Table(
    "interest_config",
    metadata,
    Column("interest_config_id", Integer, primary_key=True, autoincrement=True),
    Column("contract_type", String, nullable=False),  # CMS | Contract | Member
    Column("annual_rate_ppm", BigInteger, nullable=False),  # 0.04125 → 41250
    Column("grace_days", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),  # inclusive; NULL = open-ended
    _extra(),
)

funding_source = Table(
    "funding_source",
    metadata,
    Column("funding_source_id", String, primary_key=True),
    Column("name", String),
    Money("minimum_payment", nullable=False),
    Column("bank_routing_number", String),
    Column("bank_account_number", String),
    _extra(),
    # payment outputs (docs/outputs.md): the payer and the ACH originator of this account
    *(Column(name, String) for name in ("payer_id", *FUNDING_SOURCE_ACH)),
)

inclusion_criteria = Table(
    "inclusion_criteria",
    metadata,
    Column("inclusion_criteria_id", String, primary_key=True),
    Column("benefit_plan_ids", JSON),  # list of BenefitPlan_ID; empty = any
    Column("include_payment_centers", JSON),  # list of PaymentCenter_ID or payee key; empty = any
    Column("exclude_payment_centers", JSON),
    _extra(),
)

benefit_plan = Table(
    "benefit_plan",
    metadata,
    Column("benefit_plan_id", String, primary_key=True),
    Column("name", String),
    _extra(),
    Column("claim_filing_indicator", String),  # CLP06: 12-17, AM, CH, ... (docs/import-format.md)
)

service_code = Table(
    "service_code",
    metadata,
    Column("service_code", String, primary_key=True),
    Column("description", String),
    _extra(),
)

process_code_ex = Table(
    "process_code_ex",
    metadata,
    Column("process_code", String, primary_key=True),
    Column("holds_payment", Boolean, nullable=False),
    Column("description", String),
    _extra(),
)

sequence_numbers = Table(
    "sequence_numbers",
    metadata,
    Column(
        "name", String, primary_key=True
    ),  # PaymentCenter | OverAndUnderPayment | CheckNumber:<FS>
    Column("value", BigInteger, nullable=False),  # the last number used
    _extra(),
)

# --- events, payees, claims ------------------------------------------------------------------

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
    _extra(),
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
    Column("address_line1", String),
    Column("address_line2", String),
    Column("address_city", String),
    Column("address_state", String),
    Column("address_zip", String),
    Column("contract_type", String),
    Column("payment_method", String),  # CHECK | EFT
    Column("bank_routing_number", String),
    Column("bank_account_number", String),
    Column("created_payment_event_id", String),  # set when a Final Run created it
    _extra(),
    UniqueConstraint("payment_center_type", "payee_key"),
    *(Column(name, String) for name in PAYMENT_CENTER_OUTPUT),
)

CLAIM_MONEY = (
    "billed_amount",
    "allowed_amount",
    "deductible_amount",
    "coinsurance_amount",
    "copay_amount",
    "other_adjustment_amount",
)


def _claim_columns() -> list[Column[Any]]:
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
        Column("billing_provider_address_line1", String),  # the parts: given, or parsed from text
        Column("billing_provider_address_line2", String),
        Column("billing_provider_address_city", String),
        Column("billing_provider_address_state", String),
        Column("billing_provider_address_zip", String),
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


# The claim list (service.claims_query) pages by (service_begin_date, claim_core_id) per TIN or
# NPI; on PostgreSQL the end date rides along in those indexes (INCLUDE) so that the edge COUNT
# of a date range's total is an index-only scan. The span indexes give the provider's longest service period in one
# lookup, which bounds a date range's index scan (storage.claim_span).
claim_fin_core = Table(
    "claim_fin_core",
    metadata,
    *_claim_columns(),
    Column("claim_reference", String),  # intake: the caller's reference, unique when given
    Column("created_at", DateTime),
    _extra(),
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
# of counting claims (storage.claim_counts, service.claims_query.total_statement).
claim_day_count = Table(
    "claim_day_count",
    metadata,
    Column("kind", String, nullable=False),
    Column("provider", String, nullable=False),
    Column("service_begin_date", Date, nullable=False),
    Column("claims", BigInteger, nullable=False),
    PrimaryKeyConstraint("kind", "provider", "service_begin_date"),
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
    _extra(),
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
    _extra(),
    Index(None, "original_claim_core_id"),
)

# --- the carry-over ledger -------------------------------------------------------------------

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
    _extra(),
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
    Index(
        "ix_claim_result_paid_once",
        "claim_core_id",
        unique=True,
        sqlite_where=Column("outcome") == "paid",
        postgresql_where=Column("outcome") == "paid",
    ),
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

payee_result_columns = (
    "claims_net",
    "interest",
    "carried_in",
    "offsets",
    "new_overpayment",
    "held",
    "net_pay",
)

payment_event_ws_payee = Table(
    "payment_event_ws_payee",
    metadata,
    Column("payment_event_id", String, nullable=False),
    Column("payee_key", String, nullable=False),
    Column("payment_center_id", BigInteger),  # NULL for a payee the Final Run will create
    *(Money(name, nullable=False) for name in payee_result_columns),
    Money("refunds_applied", nullable=False),
    PrimaryKeyConstraint("payment_event_id", "payee_key"),
)

claim_ws_core = Table(  # the Dry Run's copy of the cycle's claims, as they were at the Dry Run
    "claim_ws_core",
    metadata,
    *_claim_columns(),
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

# --- backups of a Final Run ------------------------------------------------------------------

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

# --- claims service (HTTP intake) ------------------------------------------------------------

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

# --- payment outputs (835, NACHA, check register, Positive Pay; /work/shared/OUTPUTS.md §1) --------

# The health plan as payer of the 835 (N1*PR, REF*2U, PER*BL, TRN03) and sender of the files;
# a funding source names its payer (funding_source.payer_id).
payer = Table(
    "payer",
    metadata,
    Column("payer_id", String, primary_key=True),
    *(Column(name, String) for name in PAYER_TEXT),
    _extra(),
)

# One row per file written for an event (O-4): the values allocated on first issue (ISA13/GS06,
# file-id modifier, created_at) in `control`, and the SHA-256 and size of the bytes written.
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
    Index(
        "ix_output_item_issued_once",
        "kind",
        "item_id",
        unique=True,
        sqlite_where=Column("status") == "issued",
        postgresql_where=Column("status") == "issued",
    ),
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
