"""0006 — users, console sessions, Final Run approvals and the append-only audit log.

- New tables `app_user`, `console_session`, `final_run_request`, `final_run_decision` and
  `audit_log` (docs/console.md, "Roles and approval"), with the triggers that refuse every UPDATE
  and DELETE of `audit_log` (SQLite: RAISE(ABORT); PostgreSQL: a plpgsql function).
- `payment_event_stats.started_by`: the user who started a run (NULL for earlier runs and on a
  database without users). A plain, nullable ADD COLUMN on both databases.

A database upgraded to 0006 has no users, so it behaves as before (no keys, no approvals) until
the first `paymentprocess users add`. The downgrade refuses when any new table holds rows (0005
has no place for users, approvals or the audit trail), then drops them and the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

NEW_TABLES = ("app_user", "console_session", "final_run_request", "final_run_decision", "audit_log")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_REFUSAL = "audit_log is append-only"
# Frozen copies of storage.tables.access.AUDIT_TRIGGERS (tests compare the two schemas).
TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
        f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $fn$",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}


def _dialect() -> str:
    return "sqlite" if op.get_context().dialect.name == "sqlite" else "postgresql"


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("user_id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("rotated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("key_id", name=op.f("uq_app_user_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "console_session",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_session")),
    )
    op.create_index(op.f("ix_console_session_user_id"), "console_session", ["user_id"])
    op.create_table(
        "final_run_request",
        sa.Column("request_id", _ID, autoincrement=True, nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=False),
        sa.Column("dry_run_id", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("consumed_at", sa.DateTime(), nullable=True),
        sa.Column("consumed_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_final_run_request")),
    )
    op.create_index(
        op.f("ix_final_run_request_payment_event_id"), "final_run_request", ["payment_event_id"]
    )
    op.create_table(
        "final_run_decision",
        sa.Column("decision_id", _ID, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_final_run_decision")),
        sa.UniqueConstraint("request_id", name=op.f("uq_final_run_decision_request_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("audit_id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("payment_event_id", sa.String(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_payment_event_id"), "audit_log", ["payment_event_id"])
    op.create_index(op.f("ix_audit_log_action_at"), "audit_log", ["action", "at"])
    for ddl in TRIGGERS[_dialect()]:
        op.execute(ddl)
    op.add_column("payment_event_stats", sa.Column("started_by", sa.String(), nullable=True))


def _refuse_losing_data() -> None:
    """A downgrade that would drop users, approvals or the audit trail is refused."""
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    for table in NEW_TABLES:
        rows = bind.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
        if rows:
            raise RuntimeError(
                f"downgrade to 0005 refused: {table} holds {rows} row(s), which revision 0005 "
                "cannot keep (restore the backup taken before the upgrade instead)"
            )


def downgrade() -> None:
    _refuse_losing_data()
    op.drop_column("payment_event_stats", "started_by")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete" + _on_table())
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update" + _on_table())
    if _dialect() == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index(op.f("ix_audit_log_action_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_payment_event_id"), table_name="audit_log")
    op.drop_index(op.f("ix_final_run_request_payment_event_id"), table_name="final_run_request")
    op.drop_index(op.f("ix_console_session_user_id"), table_name="console_session")
    for table in reversed(NEW_TABLES):
        op.drop_table(table)


def _on_table() -> str:
    return " ON audit_log" if _dialect() == "postgresql" else ""
