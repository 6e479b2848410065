"""`Principal`: the user a request acts for. `LOCAL` is the one principal of a database without
users: every action is allowed and no approval is required (the zero-setup embedded demo).
`Principal.LOCAL` is the same object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from paymentprocess.domain.roles import Action, Role, allows


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    name: str
    role: Role | None

    LOCAL: ClassVar[Principal]

    @property
    def is_local(self) -> bool:
        return self.user_id is None and self.role is None

    def can(self, action: Action) -> bool:
        """True when this principal may take `action` (LOCAL may take every action)."""
        if self.role is None:
            return self.is_local
        return allows(self.role, action)

    @property
    def user_name(self) -> str | None:
        """The name recorded on runs and in the audit log (None for LOCAL)."""
        return None if self.is_local else self.name


LOCAL = Principal(None, "local", None)
Principal.LOCAL = LOCAL
