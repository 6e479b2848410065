"""What every claim-intake rule shares: the raw claim it reads, the problem it reports, its protocol.

A `RawClaim` is the caller's claim after field names were normalised (see `field_names`) but
before any value was parsed: values are still what JSON or CSV gave. A rule looks at the raw claim
and yields `Problem`s naming the claim line (1-based, `None` for the claim itself), the canonical
field and what is wrong. Rules never raise for bad data; `service.claims.intake_rules` holds the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

LINE_FIELDS = (
    "service_date",
    "submitted_procedure",
    "quadrant",
    "plan_group",
    "subscriber_number",
    "provider_npi",
    "provider_fees",
    "allowed_fees",
    "member_coinsurance",
    "member_copay",
    "line_item_control_number",
    "modifiers",
)
AMOUNT_FIELDS = ("provider_fees", "allowed_fees", "member_coinsurance", "member_copay")
# The optional line fields the payment outputs use: REF*6R and SVC01's modifiers (issue 13).
LINE_OUTPUT_FIELDS = ("line_item_control_number", "modifiers")
OPTIONAL_LINE_FIELDS = frozenset({"quadrant", *LINE_OUTPUT_FIELDS})
REQUIRED_LINE_FIELDS = tuple(f for f in LINE_FIELDS if f not in OPTIONAL_LINE_FIELDS)
# Fields of the claim that CSV rows (and JSON lines) repeat; they must agree across lines.
# `provider_npi` is the line's own: lines may name different providers (issue 11).
CLAIM_LEVEL_LINE_FIELDS = ("plan_group", "subscriber_number")
# Fields of the claim itself; CSV rows (and JSON lines) may carry them, and must then agree.
# `billing_provider_npi` is the claim's billing provider (default: line 1's `provider_npi`).
# The patient fields (CLP01, NM1*QC of the 835; issue 13) are optional claim fields like the others.
PATIENT_FIELDS = ("patient_control_number", "patient_first_name", "patient_last_name")
CLAIM_FIELDS = ("claim_reference", "provider_tin", "billing_provider_npi", *PATIENT_FIELDS)
MAX_LINES = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (line, field) and what."""

    line: int | None
    field: str | None
    message: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class RawClaim:
    """A claim with canonical field names and unparsed values (`None` or "" = not given)."""

    claim_reference: object = None
    provider_tin: object = None
    billing_provider_npi: object = None
    patient_control_number: object = None
    patient_first_name: object = None
    patient_last_name: object = None
    lines: list[dict[str, object]] = field(default_factory=list)

    def line_values(self, name: str) -> Iterator[tuple[int, object]]:
        """(line number, value) of `name` on every line that gives it a non-blank value."""
        for number, line in enumerate(self.lines, start=1):
            value = line.get(name)
            if not is_blank(value):
                yield number, value


def is_blank(value: object) -> bool:
    """True for a value that is not given: missing, null or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


class IntakeRule(Protocol):
    """One concern of claim intake: a name for documentation and a check yielding problems."""

    @property
    def name(self) -> str: ...

    def check(self, claim: RawClaim) -> Iterator[Problem]: ...
