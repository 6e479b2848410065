"""Dependencies of the routes: the engine and settings of this app, the request's principal,
the client's key.

Everything hangs off `request.app.state` (set by `create_app`), so two apps in one process (tests)
never share an engine or a rate limiter.

Who a request acts for (`ReadPrincipal`, `WritePrincipal`; the key in `X-API-Key` or
`Authorization: Bearer`):
- a database **without users**: exactly the old behaviour — write endpoints need one of the
  `PAYMENT_API_KEYS` when that is set (compared in constant time with `hmac.compare_digest`),
  reads need none, and the request acts as `LOCAL` (every action allowed);
- a database **with users**: every endpoint but /health needs a user's key
  (`service.access.users.authenticate`, 401 otherwise); a `PAYMENT_API_KEYS` key is refused with
  a 401 that says keys moved to users. The route's service call then checks the user's role
  (403).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import Engine

from paymentprocess.config import Settings
from paymentprocess.errors import AuthenticationError
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.access.users import authenticate, cached_principal, users_exist

KEYS_MOVED = (
    "PAYMENT_API_KEYS keys are not accepted once the database has users: keys moved to users. "
    "Ask an admin for a user and its key (paymentprocess users add NAME --role operator) and "
    "send that key in X-API-Key or Authorization: Bearer"
)

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="an API key from PAYMENT_API_KEYS"
)
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def presented_key(
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> str | None:
    """The API key the client presented, if any (X-API-Key wins over Authorization)."""
    if api_key:
        return api_key
    return bearer.credentials if bearer is not None else None


def presented_key_in(headers: Mapping[str, str]) -> str | None:
    """`presented_key` for code that reads the headers itself (the intake hot path)."""
    api_key = headers.get("x-api-key")
    if api_key:
        return api_key
    scheme, credentials = get_authorization_scheme_param(headers.get("authorization"))
    return credentials if scheme.lower() == "bearer" and credentials else None


def key_is_valid(settings: Settings, key: str | None) -> bool:
    """True when `key` is one of the configured keys (every key is compared, in constant time)."""
    if not key:
        return False
    given = key.encode()
    matches = [hmac.compare_digest(given, k.encode()) for k in settings.api_key_list]
    return any(matches)


def require_api_key(
    settings: SettingsDep, key: Annotated[str | None, Depends(presented_key)]
) -> None:
    """401 unless no keys are configured or the request presents a valid one."""
    if settings.api_key_list and not key_is_valid(settings, key):
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required in X-API-Key or Authorization: Bearer",
            headers={"WWW-Authenticate": "Bearer"},
        )


def client_key(
    request: Request, settings: SettingsDep, key: Annotated[str | None, Depends(presented_key)]
) -> str:
    """Who a rate limit counts against: a valid API key (hashed), else the client's IP address.

    An unknown key counts as the IP address, so inventing keys does not escape the limit.
    """
    if key_is_valid(settings, key) or cached_principal(request.app.state.engine, key):
        assert key is not None
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    host = request.client.host if request.client is not None else "unknown"
    return "ip:" + host


def principal_of(engine: Engine, settings: Settings, key: str | None, *, write: bool) -> Principal:
    """The principal of a request presenting `key` (module docstring); 401 otherwise."""
    if not users_exist(engine):
        if write and settings.api_key_list and not key_is_valid(settings, key):
            raise HTTPException(
                status_code=401,
                detail="a valid API key is required in X-API-Key or Authorization: Bearer",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return LOCAL
    if key and key_is_valid(settings, key):
        raise AuthenticationError(KEYS_MOVED)
    return authenticate(engine, key)


def read_principal(
    engine: EngineDep, settings: SettingsDep, key: Annotated[str | None, Depends(presented_key)]
) -> Principal:
    return principal_of(engine, settings, key, write=False)


def write_principal(
    engine: EngineDep, settings: SettingsDep, key: Annotated[str | None, Depends(presented_key)]
) -> Principal:
    return principal_of(engine, settings, key, write=True)


ReadPrincipal = Annotated[Principal, Depends(read_principal)]
WritePrincipal = Annotated[Principal, Depends(write_principal)]
ApiKeyRequired = Depends(require_api_key)
ClientKey = Annotated[str, Depends(client_key)]
