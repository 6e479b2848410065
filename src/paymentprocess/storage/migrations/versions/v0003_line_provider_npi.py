"""0003 — lines with their own provider: `service_line.provider_npi`.

- `service_line.provider_npi` (nullable VARCHAR, the last column): the line's own (rendering)
  provider NPI. The claim's `claim_fin_core.npi` stays its billing provider, which the claim list
  (`GET /claims?provider_npi=`), its counts (`claim_provider_count`, `claim_day_count` and their
  triggers) and the payee (`TaxID|NPI`) keep meaning; none of those, nor their indexes, change.
- Data: every existing line gets its claim's NPI (before this revision a claim had one NPI: intake
  refused lines with two, and `load` kept one per claim).
- `provider_aggregate` (the top providers, per NPI: claims it appears on and the net fee of its
  lines) is left as it is: with one NPI per claim, "the claims and lines of this NPI" and "the
  claims of this billing NPI" are the same rows, so its counts and totals are already those of
  a GROUP BY over line NPIs (tests/migrations/test_upgrade_line_npi.py checks it). From this
  revision on intake adds each line's net fee to that line's NPI.

On SQLite the new column is a plain ADD COLUMN (no table rebuild). The downgrade refuses when a
line names another NPI than its claim (0002 has no place for it), then drops the column (SQLite:
batch mode, a rebuild of service_line, with the service_line_payment view dropped around it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from paymentprocess.faults import checkpoint
from paymentprocess.storage.migrations import ddl_0_1_0 as ddl

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_FILL_SQLITE = (
    "UPDATE service_line SET provider_npi = (SELECT c.npi FROM claim_fin_core c "
    "WHERE c.claim_core_id = service_line.claim_core_id) WHERE provider_npi IS NULL"
)
_FILL_POSTGRESQL = (
    "UPDATE service_line sl SET provider_npi = c.npi FROM claim_fin_core c "
    "WHERE c.claim_core_id = sl.claim_core_id AND sl.provider_npi IS NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("service_line") as batch:
        batch.add_column(sa.Column("provider_npi", sa.String(), nullable=True))
    sqlite = op.get_context().dialect.name == "sqlite"
    op.execute(_FILL_SQLITE if sqlite else _FILL_POSTGRESQL)
    checkpoint("migrate:0003")  # tests: PAYMENT_FAULT_AT=kill:migrate:0003 dies here


def _refuse_losing_data() -> None:
    if context.is_offline_mode():
        return
    rows = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT count(*) FROM service_line sl JOIN claim_fin_core c "
            "ON c.claim_core_id = sl.claim_core_id "
            "WHERE sl.provider_npi IS NOT NULL AND (c.npi IS NULL OR sl.provider_npi <> c.npi)"
        )
        .scalar_one()
    )
    if rows:
        raise RuntimeError(
            f"downgrade to 0002 refused: {rows} service line(s) name another provider NPI than "
            "their claim, which 0002 cannot keep (restore the backup taken before the upgrade "
            "instead)"
        )


def downgrade() -> None:
    _refuse_losing_data()
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP VIEW IF EXISTS service_line_payment")
    with op.batch_alter_table("service_line") as batch:
        batch.drop_column("provider_npi")
    if sqlite:
        op.execute(ddl.SERVICE_LINE_PAYMENT_VIEW)  # unchanged since 0.1.0
