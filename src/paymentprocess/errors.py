"""The few conditions that stop a run or a request.

Bad *data* is never an exception: it is a finding (see `domain.findings`). These exceptions are
for things that stop work: unusable settings, an input file that cannot be loaded, a run that is
refused, an invariant that does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class PaymentError(Exception):
    """Base class of every error the product raises on purpose; its message is for users."""


class SettingsError(PaymentError):
    """A setting (environment variable, option, config file) is unusable."""


class NotFoundError(PaymentError):
    """A named object (payment event, claim, backup) does not exist."""


class RunRefusedError(PaymentError):
    """A run may not start (wrong stage, claims changed since the Dry Run, already running)."""


class InvariantError(PaymentError):
    """The SPEC §5 money invariant does not hold: the run must fail loudly and write nothing."""


@dataclass(frozen=True)
class RecordProblem:
    """One bad field of one input record: where it is and what is wrong."""

    source: str  # file name, "body", "query", ...
    location: str  # "line 12", "index 3", "line 2 (CSV)"
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source} {self.location}: {self.field}: {self.reason}"


@dataclass
class InputError(PaymentError):
    """Input refused as a whole; `problems` names every bad record and field."""

    problems: list[RecordProblem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{len(self.problems)} problem(s) in the input; nothing was written"
        shown = "\n".join(f"  - {p}" for p in self.problems[:200])
        more = "" if len(self.problems) <= 200 else f"\n  ... and {len(self.problems) - 200} more"
        return f"{head}\n{shown}{more}"
