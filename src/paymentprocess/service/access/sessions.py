"""Console sessions, kept server side: `start_session` (login), `session_principal`,
`end_session` (logout).

- The session token (the cookie) and the CSRF token are new random values at every login
  (`secrets.token_urlsafe(32)`): a token a client brought before logging in is never reused (no
  session fixation). Only the token's SHA-256 is stored.
- A session lasts `PAYMENT_SESSION_HOURS` (default 8) from login; a disabled user's sessions
  end when the user is disabled (and are refused anyway).
- Logins are rate limited per name and client: after `MAX_FAILED_LOGINS` (5) failed logins of
  one name from one client within `FAILED_LOGIN_WINDOW` (60 s), the next login is refused
  (`TooManyLoginsError`) until the window has passed — even with the right key. The failures
  are the `login_failed` rows of the audit log, so every worker of a server counts the same.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, select

from paymentprocess.domain.roles import Role
from paymentprocess.errors import AuthenticationError
from paymentprocess.service.access.options import access_setting
from paymentprocess.service.access.principal import Principal
from paymentprocess.service.access.users import authenticate
from paymentprocess.service.audit import record, record_now
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.tables import app_user, audit_log, console_session

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(seconds=60)


class TooManyLoginsError(AuthenticationError):
    """Too many failed logins of one name from one client (HTTP 429)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failed_logins(engine: Engine, name: str, client: str) -> int:
    a = audit_log.c
    since = utcnow() - FAILED_LOGIN_WINDOW
    with unit_of_work(engine, write=False) as uow:
        details = uow.conn.execute(
            select(a.detail).where(a.action == "login_failed", a.at > since, a.user_name == name)
        ).scalars()
        return sum(1 for d in details if isinstance(d, dict) and d.get("client") == client)


def start_session(engine: Engine, name: str, key: str, client: str) -> tuple[str, str, Principal]:
    """Log `name` in with its key: (session token, CSRF token, principal). AuthenticationError
    for a wrong name or key, TooManyLoginsError after too many failures (module docstring)."""
    name = name.strip()[:64]  # a user name is at most 64 characters (users.add_user)
    client = client[:200]
    if _failed_logins(engine, name, client) >= MAX_FAILED_LOGINS:
        raise TooManyLoginsError(
            f"too many failed logins for {name!r} from this client: wait a minute and try again"
        )
    try:
        principal = authenticate(engine, key)
        if principal.is_local or principal.name != name:
            raise AuthenticationError("the name and key do not match a user")
    except AuthenticationError:
        record_now(
            engine,
            Principal(None, name, None),
            "login_failed",
            user_name=name,
            detail={"client": client},
        )
        raise AuthenticationError("the name and key do not match an enabled user") from None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    hours = float(access_setting(engine, "session_hours"))
    with unit_of_work(engine) as uow:
        uow.conn.execute(
            insert(console_session).values(
                token_hash=_hash(token),
                user_id=principal.user_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
                client=client,
            )
        )
        record(uow.conn, principal, "login", detail={"client": client})
        uow.commit()
    return token, csrf, principal


def session_principal(engine: Engine, token: str | None) -> tuple[Principal, str] | None:
    """(principal, CSRF token) of a live session; None when the token is unknown, the session
    expired or its user is disabled."""
    if not token:
        return None
    s, u = console_session.c, app_user.c
    with unit_of_work(engine, write=False) as uow:
        m = (
            uow.conn.execute(
                select(s.csrf_token, s.expires_at, u.user_id, u.name, u.role, u.disabled_at)
                .join_from(console_session, app_user, s.user_id == u.user_id)
                .where(s.token_hash == _hash(token))
            )
            .mappings()
            .first()
        )
    if m is None or m["disabled_at"] is not None or m["expires_at"] <= utcnow():
        return None
    return Principal(int(m["user_id"]), m["name"], Role(m["role"])), m["csrf_token"]


def end_session(engine: Engine, token: str | None) -> None:
    """Log out: the session's row is deleted (an unknown token is no error)."""
    if not token:
        return
    found = session_principal(engine, token)
    with unit_of_work(engine) as uow:
        uow.conn.execute(
            delete(console_session).where(console_session.c.token_hash == _hash(token))
        )
        if found is not None:
            record(uow.conn, found[0], "logout")
        uow.commit()
