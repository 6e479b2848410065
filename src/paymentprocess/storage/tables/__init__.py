"""Every table of the product as SQLAlchemy 2 Core, identical on SQLite and PostgreSQL.

One module per area, all on the one `metadata` (base): reference and configuration data
(reference_data), events, payees and claims (claims), the carry-over ledger (ledger), what runs
write — results, stats, Dry Run working sets, run jobs (runs) —, backups of a Final Run (backups),
the claims service's intake tables and outbox (intake), and the payment outputs (outputs), and users, sessions, approvals and
the audit log (access).
Everything is re-exported here, so `from paymentprocess.storage import tables as t; t.claim_result`
works whatever module a table lives in.

Seed collection → table (docs/import-format.md, "Collections"): PaymentEvent → payment_event,
ClaimFinCore → claim_fin_core (+ its ServiceLines in service_line), PaymentCenter →
payment_center, OverAndUnderPayment → over_and_under_payment (+ over_and_under_payment_application),
and so on. Conventions:
- Money columns are BIGINT cents (`Money`); interest rates are BIGINT parts per million.
- Dates are DATE (calendar, no zone); timestamps are UTC.
- Results of Final Runs are *inserted* (claim_result, ledger applications, payment_register;
  service-line payments are the view service_line_payment), never written with UPDATE over
  claims: a claim's Status/PaidAmount is its imported value overlaid with its `claim_result` row
  of outcome `paid` (see storage.claims_view).
- Every imported collection has an `extra` JSON column that keeps fields the table has no column
  for, so load → export gives back what was loaded.
- Changing a table needs an Alembic revision (storage/migrations/versions/) and `SCHEMA_REVISION`
  naming it; tests/migrations compare these tables with the migrated schema.
"""

from __future__ import annotations

from paymentprocess.storage.tables.access import (
    AUDIT_TRIGGERS,
    app_user,
    audit_log,
    console_session,
    final_run_decision,
    final_run_request,
)
from paymentprocess.storage.tables.backups import (
    BACKED_UP,
    backup,
    backup_copies,
    backup_event,
)
from paymentprocess.storage.tables.base import (
    SCHEMA_REVISION,
    AutoId,
    Money,
    extra_json,
    metadata,
)
from paymentprocess.storage.tables.claims import (
    CLAIM_MONEY,
    CLAIM_PATIENT,
    PAYMENT_CENTER_OUTPUT,
    claim_columns,
    claim_count_bulk,
    claim_day_count,
    claim_fin_core,
    claim_provider_count,
    payment_center,
    payment_event,
    refund,
    service_line,
)
from paymentprocess.storage.tables.intake import (
    consumer_effect,
    consumer_message,
    idempotency_key,
    outbox_event,
    provider_aggregate,
)
from paymentprocess.storage.tables.ledger import (
    over_and_under_payment,
    over_and_under_payment_application,
)
from paymentprocess.storage.tables.outputs import (
    output_file,
    output_item,
    remittance,
    remittance_plb,
)
from paymentprocess.storage.tables.reference_data import (
    FUNDING_SOURCE_ACH,
    PAYER_TEXT,
    benefit_plan,
    business,
    funding_source,
    inclusion_criteria,
    interest_config,
    payer,
    process_code_ex,
    sequence_numbers,
    service_code,
)
from paymentprocess.storage.tables.runs import (
    SERVICE_LINE_PAYMENT_VIEW,
    VIEWS,
    claim_result,
    claim_ws_core,
    claim_ws_result,
    over_and_under_payment_stg,
    payment_center_ws,
    payment_event_stats,
    payment_event_ws,
    payment_event_ws_payee,
    payment_register,
    run_job,
)

__all__ = [
    "AUDIT_TRIGGERS",
    "BACKED_UP",
    "CLAIM_MONEY",
    "CLAIM_PATIENT",
    "FUNDING_SOURCE_ACH",
    "PAYER_TEXT",
    "PAYMENT_CENTER_OUTPUT",
    "SCHEMA_REVISION",
    "SERVICE_LINE_PAYMENT_VIEW",
    "VIEWS",
    "AutoId",
    "Money",
    "app_user",
    "audit_log",
    "backup",
    "backup_copies",
    "backup_event",
    "benefit_plan",
    "business",
    "claim_columns",
    "claim_count_bulk",
    "claim_day_count",
    "claim_fin_core",
    "claim_provider_count",
    "claim_result",
    "claim_ws_core",
    "claim_ws_result",
    "console_session",
    "consumer_effect",
    "consumer_message",
    "extra_json",
    "final_run_decision",
    "final_run_request",
    "funding_source",
    "idempotency_key",
    "inclusion_criteria",
    "interest_config",
    "metadata",
    "outbox_event",
    "output_file",
    "output_item",
    "over_and_under_payment",
    "over_and_under_payment_application",
    "over_and_under_payment_stg",
    "payer",
    "payment_center",
    "payment_center_ws",
    "payment_event",
    "payment_event_stats",
    "payment_event_ws",
    "payment_event_ws_payee",
    "payment_register",
    "process_code_ex",
    "provider_aggregate",
    "refund",
    "remittance",
    "remittance_plb",
    "run_job",
    "sequence_numbers",
    "service_code",
    "service_line",
]
