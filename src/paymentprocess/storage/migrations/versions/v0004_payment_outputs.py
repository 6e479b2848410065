"""0004 — the data of the payment outputs (835, NACHA, check register, Positive Pay).

- New table `payer` (the health plan as 835 payer and file sender).
- `funding_source` + `payer_id`, `ach_company_id`, `ach_company_name`,
  `ach_immediate_destination(_name)`, `ach_immediate_origin(_name)`, `trn04_code`,
  `positive_pay_profile`.
- `payment_center` (and its backup copy) + `bank_account_type` (C/S), `name_first`, `name_last`,
  `era_receiver_qualifier`, `era_receiver_id`.
- `claim_fin_core` and `claim_ws_core` + `patient_control_number`, `patient_first_name`,
  `patient_last_name`; `service_line` + `line_item_control_number`, `modifiers` (JSON list);
  `benefit_plan` + `claim_filing_indicator`.
- New control tables `output_file`, `output_item` (an item in at most one issued file per kind),
  `remittance`, `remittance_plb`: empty until outputs are written.

Every new column is nullable with no default: on both databases a plain ADD COLUMN, existing rows
keep every value. The downgrade drops them (on SQLite a native DROP COLUMN, SQLite 3.35+, so
claim_fin_core keeps its triggers and expression indexes) and refuses when they hold data.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context, op

from paymentprocess.faults import checkpoint

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_FUNDING_SOURCE = (
    "payer_id",
    "ach_company_id",
    "ach_company_name",
    "ach_immediate_destination",
    "ach_immediate_destination_name",
    "ach_immediate_origin",
    "ach_immediate_origin_name",
    "trn04_code",
    "positive_pay_profile",
)
_PAYMENT_CENTER = (
    "bank_account_type",
    "name_first",
    "name_last",
    "era_receiver_qualifier",
    "era_receiver_id",
)
_CLAIM = ("patient_control_number", "patient_first_name", "patient_last_name")
_PAYER = (
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
    "usage_indicator",
)
# table → (column, type) added, in this order
NEW_COLUMNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "funding_source": tuple((n, sa.String()) for n in _FUNDING_SOURCE),
    "payment_center": tuple((n, sa.String()) for n in _PAYMENT_CENTER),
    "backup_payment_center": tuple((n, sa.String()) for n in _PAYMENT_CENTER),
    "claim_fin_core": tuple((n, sa.String()) for n in _CLAIM),
    "claim_ws_core": tuple((n, sa.String()) for n in _CLAIM),
    "service_line": (("line_item_control_number", sa.String()), ("modifiers", sa.JSON())),
    "benefit_plan": (("claim_filing_indicator", sa.String()),),
}
NEW_TABLES = ("payer", "output_file", "output_item", "remittance", "remittance_plb")


def upgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, nullable=True))
    op.create_table(
        "payer",
        sa.Column("payer_id", sa.String(), nullable=False),
        *(sa.Column(n, sa.String(), nullable=True) for n in _PAYER),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("payer_id", name=op.f("pk_payer")),
    )
    auto_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "output_file",
        sa.Column("output_file_id", auto_id, autoincrement=True, nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=True),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("control", sa.JSON(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("superseded_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("output_file_id", name=op.f("pk_output_file")),
    )
    op.create_index(
        op.f("ix_output_file_payment_event_id_kind"), "output_file", ["payment_event_id", "kind"]
    )
    op.create_table(
        "output_item",
        sa.Column("output_file_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("trace_number", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
    )
    op.create_index(op.f("ix_output_item_output_file_id"), "output_item", ["output_file_id"])
    op.create_index(
        "ix_output_item_issued_once",
        "output_item",
        ["kind", "item_id"],
        unique=True,
        sqlite_where=sa.text("status = 'issued'"),
        postgresql_where=sa.text("status = 'issued'"),
    )
    op.create_table(
        "remittance",
        sa.Column("remit_id", sa.String(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("payment_center_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.String(), nullable=True),
        sa.Column("trn02", sa.String(), nullable=False),
        sa.Column("bpr01", sa.String(), nullable=False),
        sa.Column("bpr04", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("output_file_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("remit_id", name=op.f("pk_remittance")),
    )
    op.create_index(op.f("ix_remittance_payment_center_id"), "remittance", ["payment_center_id"])
    op.create_index(op.f("ix_remittance_payment_event_id"), "remittance", ["payment_event_id"])
    op.create_table(
        "remittance_plb",
        sa.Column("remit_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("remit_id", "seq", name=op.f("pk_remittance_plb")),
    )
    checkpoint("migrate:0004")  # tests: PAYMENT_FAULT_AT=kill:migrate:0004 dies here


def _refuse_losing_data() -> None:
    """A downgrade that would drop stored values (payer data, outputs' control rows) is refused."""
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    checks = [(t, f"{c} IS NOT NULL", c) for t, cols in NEW_COLUMNS.items() for c, _ in cols]
    checks += [(t, "1 = 1", "rows") for t in NEW_TABLES]
    for table, test, what in checks:
        rows = bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {test}").scalar_one()
        if rows:
            raise RuntimeError(
                f"downgrade to 0003 refused: {rows} row(s) of {table} hold {what}, which "
                "revision 0003 cannot keep (restore the backup taken before the upgrade instead)"
            )


def downgrade() -> None:
    _refuse_losing_data()
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    for table, columns in reversed(NEW_COLUMNS.items()):
        for name, _ in reversed(columns):
            op.drop_column(table, name)
