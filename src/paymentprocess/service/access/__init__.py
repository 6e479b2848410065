"""Who is asking, and may they: users and their keys (users), the principal of a request
(principal), the role check (authorize), console sessions (sessions). docs/console.md, "Roles and
approval"."""

from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal

__all__ = ["LOCAL", "Principal", "require"]
