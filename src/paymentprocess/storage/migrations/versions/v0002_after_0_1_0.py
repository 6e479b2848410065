"""0002 — every schema change made after 0.1.0, and the data they normalise.

- `payment_center.address_line2` (and its backup copy `backup_payment_center.address_line2`).
- `claim_fin_core` and `claim_ws_core`: the billing provider address in parts,
  `billing_provider_address_line1/_line2/_city/_state/_zip` (the text column stays as given).
- `refund.opening_applied_amount` BIGINT NOT NULL DEFAULT 0: what was applied of a refund before
  this system; every existing refund gets 0 (0.1.0 held no such amount).
- The table `backup_event`: a Final Run's event stage before it and the sequences it left, for
  `restore` (a backup made by 0.1.0 has no row there).
- The table `schema_version` (0.1.0's record of its schema) is dropped: `alembic_version` is the
  one record of the schema's revision now.
- Data: a claim's NULL or blank `parent_claim_core_id` (in `claim_fin_core` and in the Dry Run
  copies `claim_ws_core`) becomes its own `claim_core_id`, as `load` stores it since.

Every new column is nullable or has a default, so on SQLite each is a plain ADD COLUMN (no table
rebuild). The downgrade drops them again, in batch mode on SQLite (a table rebuild), and refuses
when a new column holds data that 0.1.0 cannot keep.
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import context, op

from paymentprocess.faults import checkpoint
from paymentprocess.storage.migrations import ddl_0_1_0 as ddl

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ADDRESS_PARTS = ("line1", "line2", "city", "state", "zip")
CLAIM_TABLES = ("claim_fin_core", "claim_ws_core")
# Python's str.strip() whitespace of the ASCII range: space, \t, \n, \v, \f, \r.
_BLANKS = (32, 9, 10, 11, 12, 13)


def upgrade() -> None:
    for table in ("payment_center", "backup_payment_center"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("address_line2", sa.String(), nullable=True))
    for table in CLAIM_TABLES:
        with op.batch_alter_table(table) as batch:
            for part in ADDRESS_PARTS:
                batch.add_column(
                    sa.Column(f"billing_provider_address_{part}", sa.String(), nullable=True)
                )
    with op.batch_alter_table("refund") as batch:
        batch.add_column(
            sa.Column("opening_applied_amount", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "backup_event",
        sa.Column("backup_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("sequences_after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("backup_id", name=op.f("pk_backup_event")),
    )
    op.drop_table("schema_version")
    for table in CLAIM_TABLES:
        op.execute(
            f"UPDATE {table} SET parent_claim_core_id = claim_core_id "
            f"WHERE parent_claim_core_id IS NULL OR {_trimmed('parent_claim_core_id')} = ''"
        )
    checkpoint("migrate:0002")  # tests: PAYMENT_FAULT_AT=kill:migrate:0002 dies here


def _trimmed(column: str) -> str:
    if op.get_context().dialect.name == "sqlite":
        return f"trim({column}, char({', '.join(map(str, _BLANKS))}))"
    return f"btrim({column}, {' || '.join(f'chr({c})' for c in _BLANKS)})"


# Columns that 0.1.0 has no place for, and the value that means "nothing to lose".
_NEW_COLUMNS = (
    ("payment_center", "address_line2", None),
    ("claim_fin_core", "billing_provider_address_line1", None),
    ("claim_fin_core", "billing_provider_address_line2", None),
    ("claim_fin_core", "billing_provider_address_city", None),
    ("claim_fin_core", "billing_provider_address_state", None),
    ("claim_fin_core", "billing_provider_address_zip", None),
    ("refund", "opening_applied_amount", 0),
)


def _refuse_losing_data() -> None:
    """A downgrade that would drop stored values (addresses, applied refund amounts) is refused."""
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    for table, column, empty in _NEW_COLUMNS:
        test = f"{column} IS NOT NULL" if empty is None else f"{column} <> {empty}"
        rows = bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {test}").scalar_one()
        if rows:
            raise RuntimeError(
                f"downgrade to 0001 refused: {rows} row(s) of {table} hold {column}, which "
                "0.1.0 cannot keep (restore the backup taken before the upgrade instead)"
            )


def downgrade() -> None:
    """Back to 0.1.0's tables. Normalised parent ids stay (0.1.0 reads a claim's own id as its
    parent just as it read NULL); backup_event's rows are dropped (0.1.0's restore never read them)."""
    _refuse_losing_data()
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_schema_version")),
    )
    op.execute("INSERT INTO schema_version (version, applied_at) VALUES (1, CURRENT_TIMESTAMP)")
    op.drop_table("backup_event")
    with op.batch_alter_table("refund") as batch:
        batch.drop_column("opening_applied_amount")
    for table in reversed(CLAIM_TABLES):
        with warnings.catch_warnings():  # SQLite: its expression indexes, created again below
            warnings.filterwarnings("ignore", message=".*expression-based index")
            with op.batch_alter_table(table) as batch:
                for part in reversed(ADDRESS_PARTS):
                    batch.drop_column(f"billing_provider_address_{part}")
    for table in ("backup_payment_center", "payment_center"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("address_line2")
    if op.get_context().dialect.name == "sqlite":
        _restore_claim_fin_core_extras()


def _restore_claim_fin_core_extras() -> None:
    """SQLite's table rebuild drops claim_fin_core's triggers and cannot copy its expression
    indexes (SQLAlchemy does not reflect them): create both again, as 0001 did."""
    for name, column in zip(ddl.SPAN_INDEXES, ("tax_id", "npi"), strict=True):
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON claim_fin_core ({column}, {ddl.SQLITE_SPAN})"
        )
    for statement in ddl.SQLITE_TRIGGERS:
        op.execute(statement)
