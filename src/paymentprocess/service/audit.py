"""The append-only audit log. STAND-IN for the access branch (its version wins at merge): kept in
memory per engine; the access branch writes an append-only table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from paymentprocess.service.access.principal import Principal
from paymentprocess.storage.database import utcnow


@dataclass(frozen=True)
class AuditEntry:
    user: str | None  # None: the LOCAL principal
    at: datetime
    action: str
    event_id: str | None
    run_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


_LOG: dict[int, tuple[Engine, list[AuditEntry]]] = {}


def _store(engine: Engine) -> list[AuditEntry]:
    return _LOG.setdefault(id(engine), (engine, []))[1]


def record(
    conn: Connection,
    principal: Principal,
    action: str,
    *,
    event_id: str | None = None,
    run_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    user = None if principal.user_id is None else principal.name
    entry = AuditEntry(user, utcnow(), action, event_id, run_id, dict(detail or {}))
    _store(conn.engine).append(entry)


def entries(engine: Engine, *, event_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
    rows = [e for e in _store(engine) if event_id is None or e.event_id == event_id]
    return list(reversed(rows))[:limit]
