"""0007 — the claim count triggers skip inside a bulk writer's transaction (docs/performance.md).

- New table `claim_count_bulk` (SQLite's flag: while a writer's transaction holds a row there, the
  triggers skip; the writer deletes it before committing, so it is always empty when committed).
- SQLite: the three triggers are dropped and created again with `WHEN NOT EXISTS (SELECT 1 FROM
  claim_count_bulk)`. PostgreSQL: the insert, delete and update functions are replaced by ones
  that return at once when the transaction-local setting `paymentprocess.bulk_counts` is 'on'
  (the triggers themselves and the truncate function stay as they are).
- Data: none changes. The counts stay equal to a GROUP BY over claim_fin_core; `generate`, `load`
  and `event create` keep them from the frames they write (storage.bulk_counts).

The downgrade gives back 0006's triggers and functions (the 0.1.0 text, storage/migrations/
ddl_0_1_0.py, which 0002–0006 did not change) and drops the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from paymentprocess.storage.migrations import ddl_0_1_0 as before
from paymentprocess.storage.migrations import ddl_0007 as after

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _replace_triggers(sqlite_ddl: tuple[str, ...], postgresql_ddl: tuple[str, ...]) -> None:
    if _sqlite():
        for name in before.CLAIM_COUNT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for ddl in sqlite_ddl:
            op.execute(ddl)
        return
    for ddl in postgresql_ddl:  # CREATE OR REPLACE: functions and triggers in place
        op.execute(ddl)


def upgrade() -> None:
    op.create_table(
        "claim_count_bulk",
        sa.Column("flag", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("flag", name=op.f("pk_claim_count_bulk")),
    )
    _replace_triggers(after.SQLITE_TRIGGERS, after.POSTGRESQL_TRIGGERS)


def downgrade() -> None:
    _replace_triggers(tuple(before.SQLITE_TRIGGERS), tuple(before.POSTGRESQL_TRIGGERS))
    op.drop_table("claim_count_bulk")
