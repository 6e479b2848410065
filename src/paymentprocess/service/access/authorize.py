"""`require(principal, action)`: the one check every use case makes.

STAND-IN for the access branch (its version wins at merge).
"""

from __future__ import annotations

from paymentprocess.domain.roles import Action
from paymentprocess.errors import AccessDeniedError
from paymentprocess.service.access.principal import Principal


def require(principal: Principal, action: Action) -> None:
    if not principal.can(action):
        role = principal.role.value if principal.role is not None else "none"
        raise AccessDeniedError(
            f"user {principal.name!r} (role {role}) may not {action.value.replace('_', ' ')}"
        )
