"""The principal: who is asking (a user and role, or LOCAL on a database with no users).

STAND-IN for the access branch (its version wins at merge).
"""

from __future__ import annotations

from dataclasses import dataclass

from paymentprocess.domain.roles import Action, Role, allows


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    name: str
    role: Role | None

    def can(self, action: Action) -> bool:
        """LOCAL (no role) may do everything; a user what the role table allows."""
        return self.role is None or allows(self.role, action)


LOCAL = Principal(user_id=None, name="local", role=None)
