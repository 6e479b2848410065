"""Fault injection for crash-safety tests, inert unless PAYMENT_FAULT_AT is set.

`PAYMENT_FAULT_AT=<point>` raises `InjectedFaultError` when the run reaches that point;
`PAYMENT_FAULT_AT=kill:<point>` kills the process with SIGKILL there (no cleanup at all);
`PAYMENT_FAULT_AT=corrupt:<point>` makes `corrupts(point)` true, for a check that must then fail
on wrong data (`corrupt:invariant`: the money invariant sees one payee paid a cent too much).
"""

from __future__ import annotations

import os
import signal


class InjectedFaultError(RuntimeError):
    """Raised at a checkpoint named by PAYMENT_FAULT_AT (tests only)."""


def checkpoint(point: str) -> None:
    wanted = os.environ.get("PAYMENT_FAULT_AT")
    if not wanted:
        return
    if wanted == point:
        raise InjectedFaultError(f"fault injected at {point}")
    if wanted == f"kill:{point}":
        os.kill(os.getpid(), signal.SIGKILL)


def corrupts(point: str) -> bool:
    """Whether PAYMENT_FAULT_AT asks for wrong data at `point` (`corrupt:<point>`)."""
    return os.environ.get("PAYMENT_FAULT_AT") == f"corrupt:{point}"
