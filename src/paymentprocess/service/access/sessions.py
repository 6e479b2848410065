"""Console sessions. STAND-IN for the access branch (its version wins at merge): kept in memory,
the token stored hashed; no rate limit here (the access branch limits logins per name+client)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine

from paymentprocess.errors import AuthenticationError
from paymentprocess.service import audit
from paymentprocess.service.access.principal import Principal
from paymentprocess.service.access.users import check_key, principal_of
from paymentprocess.storage.database import utcnow

SESSION_HOURS = 8


class TooManyLoginsError(AuthenticationError):
    """Too many failed logins of one name from one client (HTTP 429); the access branch raises
    it (this stand-in never does)."""


_SESSIONS: dict[str, tuple[Principal, str, object]] = {}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, name: str, key: str, client: str) -> tuple[str, str, Principal]:
    row = check_key(engine, name, key)
    principal = principal_of(row)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    _SESSIONS[_digest(token)] = (principal, csrf, utcnow() + timedelta(hours=SESSION_HOURS))
    with engine.connect() as conn:
        audit.record(conn, principal, "login", detail={"client": client})
    return token, csrf, principal


def session_principal(engine: Engine, token: str | None) -> tuple[Principal, str] | None:
    if not token:
        return None
    found = _SESSIONS.get(_digest(token))
    if found is None or found[2] < utcnow():  # type: ignore[operator]
        return None
    return found[0], found[1]


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        _SESSIONS.pop(_digest(token), None)
