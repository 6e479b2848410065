"""Users, console sessions, Final Run approvals and the audit log (docs/console.md, "Roles and
approval").

- `app_user`: one row per user; the key is stored as `key_id` (the public part, unique, looked
  up) and `key_hash` (scrypt of the secret with a per-key salt: `scrypt$n$r$p$salt$hash`), never
  in clear. Users are never deleted: `disabled_at` refuses their key.
- `console_session`: a console login; `token_hash` is the SHA-256 of the session token (the
  cookie), so a copy of the table gives no usable token.
- `final_run_request` (an operator asks for a Final Run of the event's latest Dry Run: its run
  id, claims fingerprint and totals are bound to the request) and `final_run_decision` (an
  approver's decision; `request_id` is unique, so two approvers racing decide once).
- `audit_log`: append-only; triggers (`AUDIT_TRIGGERS`, created with the tables and by revision
  0006) refuse every UPDATE and DELETE on both databases.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, Table, Text

from paymentprocess.storage.tables.base import AutoId, metadata

app_user = Table(
    "app_user",
    metadata,
    Column("user_id", AutoId, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False, unique=True),
    Column("role", String, nullable=False),  # viewer | operator | approver | admin
    Column("key_id", String, nullable=False, unique=True),
    Column("key_hash", String, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
    Column("rotated_at", DateTime),
)

console_session = Table(
    "console_session",
    metadata,
    Column("token_hash", String, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("csrf_token", String, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("client", String),
    Index(None, "user_id"),
)

final_run_request = Table(
    "final_run_request",
    metadata,
    Column("request_id", AutoId, primary_key=True, autoincrement=True),
    Column("payment_event_id", String, nullable=False),
    Column("dry_run_id", BigInteger, nullable=False),  # payment_event_stats.run_id
    Column("fingerprint", String, nullable=False),  # the event's claims at that Dry Run
    Column("totals", JSON, nullable=False),  # claims, payees, net_pay_cents of that Dry Run
    Column("requested_by", String, nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("consumed_at", DateTime),
    Column("consumed_run_id", BigInteger),  # the Final Run that used the approval
    Index(None, "payment_event_id"),
)

final_run_decision = Table(
    "final_run_decision",
    metadata,
    Column("decision_id", AutoId, primary_key=True, autoincrement=True),
    Column("request_id", BigInteger, nullable=False, unique=True),
    Column("decision", String, nullable=False),  # approved | rejected
    Column("decided_by", String, nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("reason", Text),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", AutoId, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String),
    Column("role", String),
    Column("action", String, nullable=False),
    Column("payment_event_id", String),
    Column("run_id", BigInteger),
    Column("detail", JSON),
    Index(None, "payment_event_id"),
    Index(None, "action", "at"),
)

_REFUSAL = "audit_log is append-only"
# The triggers that keep audit_log append-only, exactly as revision 0006 creates them.
AUDIT_TRIGGERS: dict[str, tuple[str, ...]] = {
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
