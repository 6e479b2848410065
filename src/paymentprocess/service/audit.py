"""The audit log: who did what, when, and what they saw (docs/console.md, "The audit log").

`record(conn, principal, action, ...)` appends one row in the caller's transaction, so an
approval, a Final Run or a download and its audit row commit together or not at all. Rows are
never updated or deleted: triggers on `audit_log` refuse both on SQLite and PostgreSQL.
`detail` holds what the user saw (totals, fingerprint, file names and checksums, a reason) —
never a key, a member identity or a bank number.

Actions recorded: user_added, user_disabled, key_rotated, login, login_failed, logout,
final_run_requested, final_run_approved, final_run_rejected, dry_run, final_run, restore,
outputs_generated, outputs_reissued, output_downloaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from paymentprocess.service.access.principal import Principal
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.tables import audit_log

MAX_ENTRIES = 1000


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    user: str | None
    role: str | None
    action: str
    event_id: str | None
    run_id: int | None
    detail: dict[str, Any]

    def to_document(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "at": self.at.isoformat(timespec="microseconds") + "Z",
            "user": self.user,
            "role": self.role,
            "action": self.action,
            "payment_event_id": self.event_id,
            "run_id": self.run_id,
            "detail": self.detail,
        }


def record(
    conn: Connection,
    principal: Principal,
    action: str,
    *,
    event_id: str | None = None,
    run_id: int | None = None,
    detail: dict[str, Any] | None = None,
    user_name: str | None = None,
) -> None:
    """Append one row (in the caller's transaction). `user_name` overrides the principal's name
    (a failed login names the user it tried)."""
    conn.execute(
        insert(audit_log).values(
            at=utcnow(),
            user_name=user_name if user_name is not None else principal.user_name,
            role=principal.role.value if principal.role is not None else None,
            action=action,
            payment_event_id=event_id,
            run_id=run_id,
            detail=json.loads(json.dumps(detail or {}, default=str)),
        )
    )


def record_now(
    engine: Engine,
    principal: Principal,
    action: str,
    **kwargs: Any,
) -> None:
    """`record` in a transaction of its own (for what has no transaction: a download, a
    failed login)."""
    with unit_of_work(engine) as uow:
        record(uow.conn, principal, action, **kwargs)
        uow.commit()


def entries(engine: Engine, *, event_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """The latest entries, newest first (of one event when `event_id` is given)."""
    a = audit_log.c
    query = select(audit_log).order_by(a.audit_id.desc()).limit(max(1, min(limit, MAX_ENTRIES)))
    if event_id is not None:
        query = query.where(a.payment_event_id == event_id)
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(query).mappings().all()
    return [
        AuditEntry(
            int(m["audit_id"]),
            m["at"],
            m["user_name"],
            m["role"],
            m["action"],
            m["payment_event_id"],
            None if m["run_id"] is None else int(m["run_id"]),
            dict(m["detail"] or {}),
        )
        for m in rows
    ]
