"""Users and their keys. STAND-IN for the access branch (its version wins at merge): kept in
memory per engine, keys hashed with scrypt; only what the console and its tests use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Engine

from paymentprocess.domain.roles import Action, Role
from paymentprocess.errors import AccessDeniedError, AuthenticationError
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal


@dataclass
class UserRow:
    user_id: int
    name: str
    role: Role
    disabled: bool = False
    key_hash: bytes = field(default=b"", repr=False)
    salt: bytes = field(default=b"", repr=False)


_USERS: dict[int, tuple[Engine, list[UserRow]]] = {}


def _store(engine: Engine) -> list[UserRow]:
    return _USERS.setdefault(id(engine), (engine, []))[1]


def _hash(key: str, salt: bytes) -> bytes:
    return hashlib.scrypt(key.encode(), salt=salt, n=2**14, r=8, p=1)


def add_user(
    engine: Engine, name: str, role: Role | str, principal: Principal | None = None
) -> tuple[UserRow, str]:
    """The first user must be an admin and needs no principal; later ones need MANAGE_USERS."""
    users = _store(engine)
    if users:
        if principal is None:
            raise AccessDeniedError("this database has users: adding one needs an admin's key")
        require(principal, Action.MANAGE_USERS)
    elif Role(role) is not Role.ADMIN:
        raise AccessDeniedError("the first user of a database must be an admin")
    key = secrets.token_urlsafe(24)
    salt = secrets.token_bytes(16)
    row = UserRow(len(users) + 1, name, Role(role), key_hash=_hash(key, salt), salt=salt)
    users.append(row)
    return row, key


def list_users(engine: Engine) -> list[UserRow]:
    return list(_store(engine))


def users_exist(engine: Engine) -> bool:
    return bool(_store(engine))


def principal_of(row: UserRow) -> Principal:
    return Principal(row.user_id, row.name, row.role)


def check_key(engine: Engine, name: str, key: str) -> UserRow:
    """The enabled user `name` whose key is `key`; AuthenticationError otherwise."""
    for row in _store(engine):
        if row.name == name and not row.disabled:
            if hmac.compare_digest(_hash(key, row.salt), row.key_hash):
                return row
            break
    raise AuthenticationError("unknown user or wrong key")


def authenticate(engine: Engine, key: str | None) -> Principal:
    if not users_exist(engine):
        return LOCAL
    for row in _store(engine):
        if key and not row.disabled and hmac.compare_digest(_hash(key, row.salt), row.key_hash):
            return principal_of(row)
    raise AuthenticationError("unknown or disabled key")
