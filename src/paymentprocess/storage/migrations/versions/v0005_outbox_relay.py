"""0005 — the outbox relayed to the broker, and the reference consumer's tables (docs/events.md).

- `outbox_event` + `ordering_key` (the subject whose events keep their order: a claim id, a
  payment event), `claimed_by` and `lease_until` (the relay that is publishing a row, and until
  when; another relay takes the row over after that). Two partial indexes over the unsent rows
  (`published_at IS NULL`): the relay's batch query and the per-subject order check read only
  those, however long the table grows.
- New tables `consumer_message` (the messages a consumer applied, by message_id) and
  `consumer_effect` (the reference consumer's effect).

Existing rows keep their values: their `ordering_key` stays NULL (each is the one
`claim.created` of its claim, so there is no order to keep); rows never published are relayed by
the first relay that runs. Every new column is nullable: a plain ADD COLUMN on both databases.
The downgrade refuses when a consumer table holds rows (0004 has no place for them), then drops
the indexes, the tables and the columns (SQLite 3.35+: a native DROP COLUMN).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from paymentprocess.faults import checkpoint

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

NEW_COLUMNS = (
    ("ordering_key", sa.String()),
    ("claimed_by", sa.String()),
    ("lease_until", sa.DateTime()),
)
NEW_TABLES = ("consumer_message", "consumer_effect")
_UNSENT = sa.text("published_at IS NULL")


def upgrade() -> None:
    for name, type_ in NEW_COLUMNS:
        op.add_column("outbox_event", sa.Column(name, type_, nullable=True))
    for index, columns in (
        ("ix_outbox_event_unsent", ["outbox_id"]),
        ("ix_outbox_event_unsent_key", ["ordering_key", "outbox_id"]),
    ):
        op.create_index(
            index, "outbox_event", columns, sqlite_where=_UNSENT, postgresql_where=_UNSENT
        )
    op.create_table(
        "consumer_message",
        sa.Column("consumer", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_consumer_message")),
    )
    op.create_table(
        "consumer_effect",
        sa.Column(
            "effect_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("consumer", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("effect_id", name=op.f("pk_consumer_effect")),
    )
    op.create_index(
        op.f("ix_consumer_effect_consumer_subject_id"),
        "consumer_effect",
        ["consumer", "subject_id"],
    )
    checkpoint("migrate:0005")  # tests: PAYMENT_FAULT_AT=kill:migrate:0005 dies here


def _refuse_losing_data() -> None:
    """A downgrade that would drop what a consumer applied is refused."""
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    for table in NEW_TABLES:
        rows = bind.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
        if rows:
            raise RuntimeError(
                f"downgrade to 0004 refused: {rows} row(s) of {table} hold rows, which "
                "revision 0004 cannot keep (restore the backup taken before the upgrade instead)"
            )


def downgrade() -> None:
    _refuse_losing_data()
    op.drop_index(op.f("ix_consumer_effect_consumer_subject_id"), table_name="consumer_effect")
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    op.drop_index("ix_outbox_event_unsent_key", table_name="outbox_event")
    op.drop_index("ix_outbox_event_unsent", table_name="outbox_event")
    for name, _ in reversed(NEW_COLUMNS):
        op.drop_column("outbox_event", name)
