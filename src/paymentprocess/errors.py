"""The few conditions that stop a run or a request.

Bad *data* is never an exception: it is a finding (see `domain.findings`). These exceptions are
for things that stop work: unusable settings, an input file that cannot be loaded, a run that is
refused, an invariant that does not hold.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field


class PaymentError(Exception):
    """Base class of every error the product raises on purpose; its message is for users."""


class SettingsError(PaymentError):
    """A setting (environment variable, option, config file) is unusable."""


class SchemaRevisionError(PaymentError):
    """The database's schema is not at the revision this version runs on (see `db upgrade`)."""


class NotFoundError(PaymentError):
    """A named object (payment event, claim, backup) does not exist."""


class RunRefusedError(PaymentError):
    """A run may not start (wrong stage, claims changed since the Dry Run, already running).

    `exit_code` is what the run's caller exits with: 1, or 0 when the refusal only says that
    there is nothing to do (a Final Run of an event that is already Final)."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


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


EXAMPLES = 20  # problems listed one by one; more are summarised
_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d[\d.,eE+-]*")
_INDEX = re.compile(r"\[\d+\]")


def problem_kind(problem: RecordProblem) -> tuple[str, str, str]:
    """(source, field, reason) with list positions and values left out: what a group shares."""
    reason = _NUMBER.sub("N", _VALUE.sub("'…'", problem.reason))
    return problem.source, _INDEX.sub("[]", problem.field), reason


def problem_lines(problems: list[RecordProblem], examples: int = EXAMPLES) -> list[str]:
    """Every problem on a line when there are few; else a count per file, field and kind of
    reason, then the first `examples` problems (100,000 bad records must not print 1M lines)."""
    if len(problems) <= examples:
        return [f"  - {p}" for p in problems]
    groups = sorted(Counter(map(problem_kind, problems)).items(), key=lambda g: (-g[1], g[0]))
    lines = [f"  {len(groups):,} kind(s) of problem, by file and field:"]
    for (source, name, reason), count in groups[:examples]:
        lines.append(f"  {count:>9,} × {source} {name}: {reason}")
    if len(groups) > examples:
        rest = sum(count for _, count in groups[examples:])
        lines.append(f"  {rest:>9,} × other kinds ({len(groups) - examples:,})")
    lines.append(f"  the first {examples} of {len(problems):,}:")
    lines.extend(f"  - {p}" for p in problems[:examples])
    return lines


@dataclass
class InputError(PaymentError):
    """Input refused as a whole; `problems` names every bad record and field."""

    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return f"{len(self.problems):,} problem(s) in the input; nothing was written"

    def __str__(self) -> str:
        return "\n".join([self.headline, *problem_lines(self.problems)])


class AccessDeniedError(PaymentError):
    """The principal's role may not do this (HTTP 403, CLI exit 1); the message names the user,
    the role and the action. (Stand-in for the access branch.)"""


class AuthenticationError(PaymentError):
    """An unknown or disabled key or session (HTTP 401, CLI exit 1). (Stand-in for the access
    branch.)"""
