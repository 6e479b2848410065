"""Users and their keys: add, list, disable, rotate; `authenticate(engine, key)`.

A key is `pp_<key_id>_<secret>`: `key_id` (12 hex digits) is stored as it is and looked up;
the secret (`secrets.token_urlsafe(32)`) is stored only as an scrypt hash with a salt of its own
(`scrypt$n$r$p$salt$hash`, stdlib `hashlib.scrypt`) and compared in constant time. The key is
printed once by `users add` / `users rotate-key` and never logged or stored in clear.

scrypt costs tens of milliseconds by design, so `authenticate` keeps an in-process cache: the
SHA-256 of a key that verified → its principal, for `CACHE_SECONDS` (30 s). The cache is emptied
when this process adds, disables or rotates a user; another process (a CLI command beside a
running server) is seen within `CACHE_SECONDS`: a disabled user's or a rotated key can work up
to 30 s longer in a server that had just verified it. `users_exist` is cached as well — for
`CACHE_SECONDS` once users exist (users are never deleted), for `NO_USERS_SECONDS` (1 s) while
there are none — so the claims intake hot path asks the database at most once a second.

The first user of a database (bootstrap) needs no key and must be an admin, who then adds the
others with an admin key (`MANAGE_USERS`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from paymentprocess.domain.roles import Action, Role
from paymentprocess.errors import (
    AccessDeniedError,
    AuthenticationError,
    InputError,
    NotFoundError,
    RecordProblem,
)
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.audit import record
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.tables import app_user, console_session

KEY_PREFIX = "pp"
CACHE_SECONDS = 30.0
NO_USERS_SECONDS = 1.0
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_KEY = re.compile(r"pp_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")
NO_KEY = (
    "this database has users: give your key with --key or PAYMENT_API_KEY (API: X-API-Key or "
    "Authorization: Bearer)"
)
BAD_KEY = "the key is not valid (unknown, rotated, or its user is disabled)"


@dataclass(frozen=True)
class UserRow:
    user_id: int
    name: str
    role: Role
    key_id: str
    created_at: datetime
    disabled_at: datetime | None
    rotated_at: datetime | None

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, self.name, self.role)


_lock = threading.Lock()
_principals: dict[tuple[str, str], tuple[Principal, float]] = {}
_users_seen: WeakKeyDictionary[Any, tuple[bool, float]] = WeakKeyDictionary()


def _forget() -> None:
    with _lock:
        _principals.clear()
        _users_seen.clear()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """(key, key_id, stored hash) of a new key."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{key_id}_{secret}", key_id, hash_secret(secret)


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` hashes to `stored` (compared in constant time)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        computed = hashlib.scrypt(
            secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


def _row(m: Any) -> UserRow:
    return UserRow(
        int(m["user_id"]),
        m["name"],
        Role(m["role"]),
        m["key_id"],
        m["created_at"],
        m["disabled_at"],
        m["rotated_at"],
    )


def _any_user(conn: Connection) -> bool:
    return conn.execute(select(app_user.c.user_id).limit(1)).first() is not None


def users_exist(engine: Engine) -> bool:
    """True once the database has a user (disabled ones count); cached (module docstring)."""
    known = known_users_exist(engine)
    if known is not None:
        return known
    with unit_of_work(engine, write=False) as uow:
        exists = _any_user(uow.conn)
    with _lock:
        _users_seen[engine.pool] = (exists, time.monotonic())
    return exists


def known_users_exist(engine: Engine) -> bool | None:
    """`users_exist` from the cache only (None: not known now); never touches the database."""
    with _lock:
        seen = _users_seen.get(engine.pool)
    if seen is None:
        return None
    exists, at = seen
    if time.monotonic() - at < (CACHE_SECONDS if exists else NO_USERS_SECONDS):
        return exists
    return None


def cached_principal(engine: Engine, key: str | None) -> Principal | None:
    """The principal of a key verified within CACHE_SECONDS, from the cache; else None."""
    if not key:
        return None
    with _lock:
        hit = _principals.get((str(engine.url), _digest(key)))
    if hit is not None and time.monotonic() - hit[1] < CACHE_SECONDS:
        return hit[0]
    return None


def authenticate(engine: Engine, key: str | None) -> Principal:
    """LOCAL on a database without users; else the key's user (AuthenticationError when the key
    is missing, unknown, rotated or its user disabled)."""
    if not users_exist(engine):
        return LOCAL
    if not key:
        raise AuthenticationError(NO_KEY)
    hit = cached_principal(engine, key)
    if hit is not None:
        return hit
    match = _KEY.fullmatch(key.strip())
    if match is None:
        raise AuthenticationError(BAD_KEY)
    key_id, secret = match.groups()
    with unit_of_work(engine, write=False) as uow:
        m = uow.conn.execute(select(app_user).where(app_user.c.key_id == key_id)).mappings().first()
    if m is None:
        hash_secret(secret)  # the same time as a known key id: key ids are not probed by timing
        raise AuthenticationError(BAD_KEY)
    if not verify_secret(secret, m["key_hash"]) or m["disabled_at"] is not None:
        raise AuthenticationError(BAD_KEY)
    principal = _row(m).principal
    with _lock:
        _principals[(str(engine.url), _digest(key))] = (principal, time.monotonic())
    return principal


def _bad_name(name: str) -> InputError:
    return InputError(
        [
            RecordProblem(
                "user",
                "argument",
                "NAME",
                "must be 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)",
            )
        ]
    )


def add_user(
    engine: Engine, name: str, role: Role | str, principal: Principal | None = None
) -> tuple[UserRow, str]:
    """Add a user; returns the row and its key (shown once, never stored in clear).

    The first user of a database needs no principal and must be an admin (bootstrap); after
    that `principal` must be allowed MANAGE_USERS."""
    if not _NAME.fullmatch(name):
        raise _bad_name(name)
    try:
        role = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InputError(
            [RecordProblem("user", "option", "--role", f"must be one of {roles}, not {role!r}")]
        ) from None
    key, key_id, key_hash = new_key()
    with unit_of_work(engine) as uow:
        if _any_user(uow.conn):
            if principal is None:
                raise AccessDeniedError(
                    "this database has users: adding one needs an admin's key (--key)"
                )
            require(principal, Action.MANAGE_USERS)
        elif role is not Role.ADMIN:
            raise AccessDeniedError(
                "the first user of a database must be an admin (who then adds the others): "
                f"paymentprocess users add {name} --role admin"
            )
        try:
            user_id = uow.conn.execute(
                insert(app_user)
                .values(
                    name=name,
                    role=role.value,
                    key_id=key_id,
                    key_hash=key_hash,
                    created_at=utcnow(),
                )
                .returning(app_user.c.user_id)
            ).scalar_one()
        except IntegrityError:
            raise InputError(
                [RecordProblem("user", "argument", "NAME", f"a user {name!r} exists")]
            ) from None
        _audit(uow.conn, principal, "user_added", {"name": name, "role": role.value})
        row = _row(
            uow.conn.execute(select(app_user).where(app_user.c.user_id == user_id)).mappings().one()
        )
        uow.commit()
    _forget()
    return row, key


def list_users(engine: Engine) -> list[UserRow]:
    """Every user, by name (their keys are not readable: only their ids and hashes are stored)."""
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(select(app_user).order_by(app_user.c.name)).mappings().all()
    return [_row(m) for m in rows]


def _user(conn: Connection, name: str) -> UserRow:
    m = conn.execute(select(app_user).where(app_user.c.name == name)).mappings().first()
    if m is None:
        raise NotFoundError(f"no user {name!r}")
    return _row(m)


def disable_user(engine: Engine, principal: Principal, name: str) -> UserRow:
    """Refuse the user's key from now on (the row stays: runs and the audit log name it). The
    last enabled admin cannot be disabled."""
    require(principal, Action.MANAGE_USERS)
    with unit_of_work(engine) as uow:
        user = _user(uow.conn, name)
        if user.disabled_at is None and user.role is Role.ADMIN:
            admins = uow.conn.execute(
                select(app_user.c.user_id).where(
                    app_user.c.role == Role.ADMIN.value, app_user.c.disabled_at.is_(None)
                )
            ).all()
            if len(admins) <= 1:
                raise AccessDeniedError(
                    f"{name!r} is the last enabled admin: add another admin before disabling it"
                )
        now = utcnow()
        uow.conn.execute(
            update(app_user)
            .where(app_user.c.user_id == user.user_id, app_user.c.disabled_at.is_(None))
            .values(disabled_at=now)
        )
        # a disabled user's console sessions end at once
        uow.conn.execute(delete(console_session).where(console_session.c.user_id == user.user_id))
        _audit(uow.conn, principal, "user_disabled", {"name": name})
        user = _user(uow.conn, name)
        uow.commit()
    _forget()
    return user


def rotate_key(engine: Engine, principal: Principal, name: str) -> str:
    """A new key for `name` (the old one stops working); an admin, or the user themselves."""
    if principal.name != name or principal.is_local:
        require(principal, Action.MANAGE_USERS)
    key, key_id, key_hash = new_key()
    with unit_of_work(engine) as uow:
        user = _user(uow.conn, name)
        if user.disabled_at is not None:
            raise AccessDeniedError(f"user {name!r} is disabled; its key is not rotated")
        uow.conn.execute(
            update(app_user)
            .where(app_user.c.user_id == user.user_id)
            .values(key_id=key_id, key_hash=key_hash, rotated_at=utcnow())
        )
        _audit(uow.conn, principal, "key_rotated", {"name": name})
        uow.commit()
    _forget()
    return key


def _audit(
    conn: Connection, principal: Principal | None, action: str, detail: dict[str, Any]
) -> None:
    record(conn, principal or LOCAL, action, detail=detail)
