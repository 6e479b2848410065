"""0001 — the 0.1.0 baseline: the schema exactly as 0.1.0 (commit 10bb9e9) created it.

Every table, constraint and index of 0.1.0's `storage.tables`, written out here (not read from
today's metadata, which keeps moving), plus what `ensure_schema` of 0.1.0 created besides: the
view `service_line_payment`, the expression indexes `(tax_id | npi, service span)` of
`claim_fin_core` and the claim count triggers (PostgreSQL: their functions too), from the frozen
SQL of `ddl_0_1_0`. A 0.1.0 database (its `schema_version` table holds 1, no `alembic_version`)
is this revision: `storage.migrate` stamps it 0001 instead of running this script.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from paymentprocess.storage.migrations import ddl_0_1_0 as ddl

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    _tables()
    _extras()
    op.execute("INSERT INTO schema_version (version, applied_at) VALUES (1, CURRENT_TIMESTAMP)")


def _extras() -> None:
    """The view, the expression indexes and the triggers that 0.1.0's ensure_schema made."""
    sqlite = op.get_context().dialect.name == "sqlite"
    span = ddl.SQLITE_SPAN if sqlite else ddl.POSTGRESQL_SPAN
    for name, column in zip(ddl.SPAN_INDEXES, ("tax_id", "npi"), strict=True):
        op.execute(f"CREATE INDEX {name} ON claim_fin_core ({column}, {span})")
    op.execute(ddl.SERVICE_LINE_PAYMENT_VIEW)
    for statement in ddl.SQLITE_TRIGGERS if sqlite else ddl.POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Back to an empty database: every object of 0.1.0 is dropped (and its data with it)."""
    op.execute("DROP VIEW service_line_payment")
    sqlite = op.get_context().dialect.name == "sqlite"
    for name in ddl.CLAIM_COUNT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}" if sqlite else f"DROP TRIGGER {name} ON claim_fin_core")
    if not sqlite:
        op.execute("DROP TRIGGER claim_provider_count_truncate ON claim_fin_core")
        for name in ddl.POSTGRESQL_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    for name in TABLES:
        op.drop_table(name)


def _tables() -> None:  # noqa: PLR0915 - the whole 0.1.0 schema, a statement per table and index
    op.create_table(
        "backup",
        sa.Column("backup_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("restored_at", sa.DateTime(), nullable=True),
        sa.Column("row_counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("backup_id", name=op.f("pk_backup")),
    )
    op.create_table(
        "backup_over_and_under_payment",
        sa.Column("backup_id", sa.Integer(), nullable=False),
        sa.Column("over_and_under_payment_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_event_id", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("total_amount", sa.BigInteger(), nullable=True),
        sa.Column("opening_remaining_amount", sa.BigInteger(), nullable=True),
        sa.Column("created_date", sa.Date(), nullable=True),
        sa.Column("claim_chain_id", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
    )
    op.create_index(
        op.f("ix_backup_over_and_under_payment_backup_id"),
        "backup_over_and_under_payment",
        ["backup_id"],
        unique=False,
    )
    op.create_table(
        "backup_over_and_under_payment_application",
        sa.Column("backup_id", sa.Integer(), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("over_and_under_payment_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_event_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", sa.String(), nullable=True),
    )
    op.create_index(
        op.f("ix_backup_over_and_under_payment_application_backup_id"),
        "backup_over_and_under_payment_application",
        ["backup_id"],
        unique=False,
    )
    op.create_table(
        "backup_payment_center",
        sa.Column("backup_id", sa.Integer(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_center_type", sa.String(), nullable=True),
        sa.Column("payee_key", sa.String(), nullable=True),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("npi", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column("vendor_name", sa.String(), nullable=True),
        sa.Column("address_line1", sa.String(), nullable=True),
        sa.Column("address_city", sa.String(), nullable=True),
        sa.Column("address_state", sa.String(), nullable=True),
        sa.Column("address_zip", sa.String(), nullable=True),
        sa.Column("contract_type", sa.String(), nullable=True),
        sa.Column("payment_method", sa.String(), nullable=True),
        sa.Column("bank_routing_number", sa.String(), nullable=True),
        sa.Column("bank_account_number", sa.String(), nullable=True),
        sa.Column("created_payment_event_id", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
    )
    op.create_index(
        op.f("ix_backup_payment_center_backup_id"),
        "backup_payment_center",
        ["backup_id"],
        unique=False,
    )
    op.create_table(
        "backup_sequence_numbers",
        sa.Column("backup_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
    )
    op.create_index(
        op.f("ix_backup_sequence_numbers_backup_id"),
        "backup_sequence_numbers",
        ["backup_id"],
        unique=False,
    )
    op.create_table(
        "benefit_plan",
        sa.Column("benefit_plan_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("benefit_plan_id", name=op.f("pk_benefit_plan")),
    )
    op.create_table(
        "business",
        sa.Column("business_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("custom_interest_days", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_business")),
    )
    op.create_table(
        "claim_day_count",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("service_begin_date", sa.Date(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "provider", "service_begin_date", name=op.f("pk_claim_day_count")
        ),
    )
    op.create_table(
        "claim_fin_core",
        sa.Column("claim_core_id", sa.String(), nullable=False),
        sa.Column("parent_claim_core_id", sa.String(), nullable=True),
        sa.Column("frequency_code", sa.String(), nullable=True),
        sa.Column("payment_event_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("paid_payment_event_id", sa.String(), nullable=True),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("npi", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column("billing_provider_name", sa.String(), nullable=True),
        sa.Column("billing_provider_address", sa.String(), nullable=True),
        sa.Column("contract_type", sa.String(), nullable=True),
        sa.Column("benefit_plan_id", sa.String(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("service_begin_date", sa.Date(), nullable=True),
        sa.Column("service_end_date", sa.Date(), nullable=True),
        sa.Column("void_claim_core_id", sa.String(), nullable=True),
        sa.Column("original_claim_core_id", sa.String(), nullable=True),
        sa.Column("process_codes", sa.JSON(), nullable=True),
        sa.Column("billed_amount", sa.BigInteger(), nullable=True),
        sa.Column("allowed_amount", sa.BigInteger(), nullable=True),
        sa.Column("deductible_amount", sa.BigInteger(), nullable=True),
        sa.Column("coinsurance_amount", sa.BigInteger(), nullable=True),
        sa.Column("copay_amount", sa.BigInteger(), nullable=True),
        sa.Column("other_adjustment_amount", sa.BigInteger(), nullable=True),
        sa.Column("claim_reference", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("claim_core_id", name=op.f("pk_claim_fin_core")),
        sa.UniqueConstraint("claim_reference", name=op.f("uq_claim_fin_core_claim_reference")),
    )
    op.create_index(
        op.f("ix_claim_fin_core_member_id"), "claim_fin_core", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_claim_fin_core_npi_service_begin_date_claim_core_id"),
        "claim_fin_core",
        ["npi", "service_begin_date", "claim_core_id"],
        unique=False,
        postgresql_include=["service_end_date"],
    )
    op.create_index(
        op.f("ix_claim_fin_core_parent_claim_core_id"),
        "claim_fin_core",
        ["parent_claim_core_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_fin_core_payment_event_id"),
        "claim_fin_core",
        ["payment_event_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_fin_core_status_payment_event_id"),
        "claim_fin_core",
        ["status", "payment_event_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_fin_core_tax_id_service_begin_date_claim_core_id"),
        "claim_fin_core",
        ["tax_id", "service_begin_date", "claim_core_id"],
        unique=False,
        postgresql_include=["service_end_date"],
    )
    op.create_table(
        "claim_provider_count",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "provider", name=op.f("pk_claim_provider_count")),
    )
    op.create_table(
        "claim_result",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("claim_core_id", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("hold_reason", sa.String(), nullable=True),
        sa.Column("payable", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("payment_event_id", "claim_core_id", name=op.f("pk_claim_result")),
    )
    op.create_index(
        "ix_claim_result_paid_once",
        "claim_result",
        ["claim_core_id"],
        unique=True,
        sqlite_where=sa.text("outcome = 'paid'"),
        postgresql_where=sa.text("outcome = 'paid'"),
    )
    op.create_table(
        "claim_ws_core",
        sa.Column("claim_core_id", sa.String(), nullable=False),
        sa.Column("parent_claim_core_id", sa.String(), nullable=True),
        sa.Column("frequency_code", sa.String(), nullable=True),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("paid_payment_event_id", sa.String(), nullable=True),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("npi", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column("billing_provider_name", sa.String(), nullable=True),
        sa.Column("billing_provider_address", sa.String(), nullable=True),
        sa.Column("contract_type", sa.String(), nullable=True),
        sa.Column("benefit_plan_id", sa.String(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("service_begin_date", sa.Date(), nullable=True),
        sa.Column("service_end_date", sa.Date(), nullable=True),
        sa.Column("void_claim_core_id", sa.String(), nullable=True),
        sa.Column("original_claim_core_id", sa.String(), nullable=True),
        sa.Column("process_codes", sa.JSON(), nullable=True),
        sa.Column("billed_amount", sa.BigInteger(), nullable=True),
        sa.Column("allowed_amount", sa.BigInteger(), nullable=True),
        sa.Column("deductible_amount", sa.BigInteger(), nullable=True),
        sa.Column("coinsurance_amount", sa.BigInteger(), nullable=True),
        sa.Column("copay_amount", sa.BigInteger(), nullable=True),
        sa.Column("other_adjustment_amount", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("payment_event_id", "claim_core_id", name=op.f("pk_claim_ws_core")),
    )
    op.create_table(
        "claim_ws_result",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("claim_core_id", sa.String(), nullable=False),
        sa.Column("payee_key", sa.String(), nullable=True),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("hold_reason", sa.String(), nullable=True),
        sa.Column("estimate", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "payment_event_id", "claim_core_id", name=op.f("pk_claim_ws_result")
        ),
    )
    op.create_table(
        "funding_source",
        sa.Column("funding_source_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("minimum_payment", sa.BigInteger(), nullable=False),
        sa.Column("bank_routing_number", sa.String(), nullable=True),
        sa.Column("bank_account_number", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("funding_source_id", name=op.f("pk_funding_source")),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("request_hash", sa.String(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_key")),
    )
    op.create_table(
        "inclusion_criteria",
        sa.Column("inclusion_criteria_id", sa.String(), nullable=False),
        sa.Column("benefit_plan_ids", sa.JSON(), nullable=True),
        sa.Column("include_payment_centers", sa.JSON(), nullable=True),
        sa.Column("exclude_payment_centers", sa.JSON(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("inclusion_criteria_id", name=op.f("pk_inclusion_criteria")),
    )
    op.create_table(
        "interest_config",
        sa.Column("interest_config_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_type", sa.String(), nullable=False),
        sa.Column("annual_rate_ppm", sa.BigInteger(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("interest_config_id", name=op.f("pk_interest_config")),
    )
    op.create_table(
        "outbox_event",
        sa.Column(
            "outbox_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_event")),
    )
    op.create_table(
        "over_and_under_payment",
        sa.Column(
            "over_and_under_payment_id", sa.BigInteger(), autoincrement=False, nullable=False
        ),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("opening_remaining_amount", sa.BigInteger(), nullable=False),
        sa.Column("created_date", sa.Date(), nullable=True),
        sa.Column("claim_chain_id", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint(
            "over_and_under_payment_id", name=op.f("pk_over_and_under_payment")
        ),
    )
    op.create_index(
        op.f("ix_over_and_under_payment_payment_center_id_type"),
        "over_and_under_payment",
        ["payment_center_id", "type"],
        unique=False,
    )
    op.create_table(
        "over_and_under_payment_application",
        sa.Column(
            "application_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("over_and_under_payment_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint(
            "application_id", name=op.f("pk_over_and_under_payment_application")
        ),
    )
    op.create_index(
        op.f("ix_over_and_under_payment_application_over_and_under_payment_id"),
        "over_and_under_payment_application",
        ["over_and_under_payment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_over_and_under_payment_application_payment_event_id"),
        "over_and_under_payment_application",
        ["payment_event_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_over_and_under_payment_application_refund_id"),
        "over_and_under_payment_application",
        ["refund_id"],
        unique=False,
    )
    op.create_table(
        "over_and_under_payment_stg",
        sa.Column(
            "stg_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("payee_key", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("over_and_under_payment_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("stg_id", name=op.f("pk_over_and_under_payment_stg")),
    )
    op.create_index(
        op.f("ix_over_and_under_payment_stg_payment_event_id"),
        "over_and_under_payment_stg",
        ["payment_event_id"],
        unique=False,
    )
    op.create_table(
        "payment_center",
        sa.Column("payment_center_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payment_center_type", sa.String(), nullable=False),
        sa.Column("payee_key", sa.String(), nullable=False),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("npi", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column("vendor_name", sa.String(), nullable=True),
        sa.Column("address_line1", sa.String(), nullable=True),
        sa.Column("address_city", sa.String(), nullable=True),
        sa.Column("address_state", sa.String(), nullable=True),
        sa.Column("address_zip", sa.String(), nullable=True),
        sa.Column("contract_type", sa.String(), nullable=True),
        sa.Column("payment_method", sa.String(), nullable=True),
        sa.Column("bank_routing_number", sa.String(), nullable=True),
        sa.Column("bank_account_number", sa.String(), nullable=True),
        sa.Column("created_payment_event_id", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("payment_center_id", name=op.f("pk_payment_center")),
        sa.UniqueConstraint(
            "payment_center_type",
            "payee_key",
            name=op.f("uq_payment_center_payment_center_type_payee_key"),
        ),
    )
    op.create_table(
        "payment_center_ws",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("payee_key", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("flag", sa.String(), nullable=False),
        sa.Column("payment_center_type", sa.String(), nullable=False),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("npi", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column("vendor_name", sa.String(), nullable=True),
        sa.Column("contract_type", sa.String(), nullable=True),
        sa.Column("payment_method", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("payment_event_id", "payee_key", name=op.f("pk_payment_center_ws")),
    )
    op.create_table(
        "payment_event",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("business_id", sa.String(), nullable=True),
        sa.Column("inclusion_criteria_id", sa.String(), nullable=True),
        sa.Column("funding_source_id", sa.String(), nullable=True),
        sa.Column("payment_due_date", sa.Date(), nullable=False),
        sa.Column("payment_event_type", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("claims_fingerprint", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("payment_event_id", name=op.f("pk_payment_event")),
    )
    op.create_table(
        "payment_event_stats",
        sa.Column("run_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_payment_event_stats")),
    )
    op.create_index(
        op.f("ix_payment_event_stats_payment_event_id"),
        "payment_event_stats",
        ["payment_event_id"],
        unique=False,
    )
    op.create_table(
        "payment_event_ws",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("business_id", sa.String(), nullable=True),
        sa.Column("inclusion_criteria_id", sa.String(), nullable=True),
        sa.Column("funding_source_id", sa.String(), nullable=True),
        sa.Column("payment_due_date", sa.Date(), nullable=True),
        sa.Column("payment_event_type", sa.String(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("payment_event_id", name=op.f("pk_payment_event_ws")),
    )
    op.create_table(
        "payment_event_ws_payee",
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("payee_key", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=True),
        sa.Column("claims_net", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("carried_in", sa.BigInteger(), nullable=False),
        sa.Column("offsets", sa.BigInteger(), nullable=False),
        sa.Column("new_overpayment", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("net_pay", sa.BigInteger(), nullable=False),
        sa.Column("refunds_applied", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "payment_event_id", "payee_key", name=op.f("pk_payment_event_ws_payee")
        ),
    )
    op.create_table(
        "payment_register",
        sa.Column("payment_id", sa.String(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("check_number", sa.String(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment_register")),
    )
    op.create_index(
        op.f("ix_payment_register_payment_event_id"),
        "payment_register",
        ["payment_event_id"],
        unique=False,
    )
    op.create_table(
        "process_code_ex",
        sa.Column("process_code", sa.String(), nullable=False),
        sa.Column("holds_payment", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("process_code", name=op.f("pk_process_code_ex")),
    )
    op.create_table(
        "provider_aggregate",
        sa.Column("provider_npi", sa.String(), nullable=False),
        sa.Column("claim_count", sa.BigInteger(), nullable=False),
        sa.Column("total_net_fee", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("provider_npi", name=op.f("pk_provider_aggregate")),
    )
    op.create_index(
        op.f("ix_provider_aggregate_total_net_fee_provider_npi"),
        "provider_aggregate",
        ["total_net_fee", "provider_npi"],
        unique=False,
    )
    op.create_table(
        "refund",
        sa.Column("refund_id", sa.String(), nullable=False),
        sa.Column("original_claim_core_id", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_refund")),
    )
    op.create_index(
        op.f("ix_refund_original_claim_core_id"), "refund", ["original_claim_core_id"], unique=False
    )
    op.create_table(
        "run_job",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_run_job")),
    )
    op.create_index(
        op.f("ix_run_job_payment_event_id_state"),
        "run_job",
        ["payment_event_id", "state"],
        unique=False,
    )
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_schema_version")),
    )
    op.create_table(
        "sequence_numbers",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sequence_numbers")),
    )
    op.create_table(
        "service_code",
        sa.Column("service_code", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("service_code", name=op.f("pk_service_code")),
    )
    op.create_table(
        "service_line",
        sa.Column("claim_core_id", sa.String(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(), nullable=True),
        sa.Column("quadrant", sa.String(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("billed_amount", sa.BigInteger(), nullable=False),
        sa.Column("allowed_amount", sa.BigInteger(), nullable=False),
        sa.Column("deductible_amount", sa.BigInteger(), nullable=False),
        sa.Column("coinsurance_amount", sa.BigInteger(), nullable=False),
        sa.Column("copay_amount", sa.BigInteger(), nullable=False),
        sa.Column("other_adjustment_amount", sa.BigInteger(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("claim_core_id", "line_number", name=op.f("pk_service_line")),
    )


TABLES = (
    "service_line",
    "service_code",
    "sequence_numbers",
    "schema_version",
    "run_job",
    "refund",
    "provider_aggregate",
    "process_code_ex",
    "payment_register",
    "payment_event_ws_payee",
    "payment_event_ws",
    "payment_event_stats",
    "payment_event",
    "payment_center_ws",
    "payment_center",
    "over_and_under_payment_stg",
    "over_and_under_payment_application",
    "over_and_under_payment",
    "outbox_event",
    "interest_config",
    "inclusion_criteria",
    "idempotency_key",
    "funding_source",
    "claim_ws_result",
    "claim_ws_core",
    "claim_result",
    "claim_provider_count",
    "claim_fin_core",
    "claim_day_count",
    "business",
    "benefit_plan",
    "backup_sequence_numbers",
    "backup_payment_center",
    "backup_over_and_under_payment_application",
    "backup_over_and_under_payment",
    "backup",
)
