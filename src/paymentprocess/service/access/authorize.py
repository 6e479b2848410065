"""`require(principal, action)`: the role check every service function makes before it acts."""

from __future__ import annotations

from paymentprocess.domain.roles import ALLOWED, Action
from paymentprocess.errors import AccessDeniedError
from paymentprocess.service.access.principal import Principal


def require(principal: Principal, action: Action) -> None:
    """AccessDeniedError (naming the user, the role and the action) unless `principal` may take
    `action` by the role table (domain.roles.ALLOWED)."""
    if principal.can(action):
        return
    roles = ", ".join(sorted(r.value for r in ALLOWED[action]))
    raise AccessDeniedError(
        f"user {principal.name!r} (role {principal.role or 'none'}) may not {action.value}: "
        f"that needs the role {roles}"
    )


def require_any(principal: Principal, *actions: Action) -> None:
    """AccessDeniedError unless `principal` may take one of `actions` (e.g. GET /audit:
    admins and approvers)."""
    if any(principal.can(a) for a in actions):
        return
    require(principal, actions[0])
