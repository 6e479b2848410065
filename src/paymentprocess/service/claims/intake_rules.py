"""The claim-intake rules, in one ordered registry: `DEFAULT_INTAKE_RULES` and `validate`.

Each rule is a small object with a `name` and a `check(claim)` that yields problems (see
`raw_claim.IntakeRule`). To add a rule, write a class with those two members (or reuse
`LineField` / `ClaimField` with a parser from `value_parsers`) and append it to the tuple. Rules
skip values that are missing: `RequiredFields` reports those once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from paymentprocess.service.claims.raw_claim import (
    AMOUNT_FIELDS,
    CLAIM_LEVEL_LINE_FIELDS,
    MAX_LINES,
    REQUIRED_LINE_FIELDS,
    IntakeRule,
    Problem,
    RawClaim,
    is_blank,
)
from paymentprocess.service.claims.value_parsers import (
    parse_amount,
    parse_line_item_control_number,
    parse_modifiers,
    parse_npi,
    parse_patient_control_number,
    parse_patient_first_name,
    parse_patient_last_name,
    parse_procedure,
    parse_quadrant,
    parse_reference,
    parse_service_date,
    parse_text,
    parse_tin,
)

Parser = Callable[[object], object]


@dataclass(frozen=True)
class LineCount:
    """A claim has between 1 and MAX_LINES service lines."""

    name: str = "line_count"

    def check(self, claim: RawClaim) -> Iterator[Problem]:
        if not claim.lines:
            yield Problem(None, "lines", "must contain at least one service line")
        elif len(claim.lines) > MAX_LINES:
            yield Problem(None, "lines", f"must contain at most {MAX_LINES} service lines")


@dataclass(frozen=True)
class RequiredFields:
    """Every line gives every field but the optional ones (`OPTIONAL_LINE_FIELDS`)."""

    name: str = "required_fields"

    def check(self, claim: RawClaim) -> Iterator[Problem]:
        for number, line in enumerate(claim.lines, start=1):
            for name in REQUIRED_LINE_FIELDS:
                if is_blank(line.get(name)):
                    yield Problem(number, name, "is required")


@dataclass(frozen=True)
class LineField:
    """Each given value of `fields` on every line must be accepted by `parser`."""

    name: str
    fields: tuple[str, ...]
    parser: Parser

    def check(self, claim: RawClaim) -> Iterator[Problem]:
        for name in self.fields:
            for number, value in claim.line_values(name):
                problem = _parse_problem(self.parser, value)
                if problem is not None:
                    yield Problem(number, name, problem)


@dataclass(frozen=True)
class ClaimField:
    """The claim-level `field`, when given, must be accepted by `parser`."""

    name: str
    parser: Parser

    def check(self, claim: RawClaim) -> Iterator[Problem]:
        value = getattr(claim, self.name)
        if not is_blank(value):
            problem = _parse_problem(self.parser, value)
            if problem is not None:
                yield Problem(None, self.name, problem)


@dataclass(frozen=True)
class ClaimLevelAgreement:
    """Plan/group and subscriber are the claim's: every line must agree with line 1.

    A line's provider NPI is its own (a claim may list a rendering provider per line); the
    claim's billing provider is `billing_provider_npi`, or line 1's NPI."""

    name: str = "claim_level_agreement"
    fields: tuple[str, ...] = CLAIM_LEVEL_LINE_FIELDS

    def check(self, claim: RawClaim) -> Iterator[Problem]:
        for name in self.fields:
            first: tuple[int, str] | None = None
            for number, value in claim.line_values(name):
                text = value.strip() if isinstance(value, str) else value
                if first is None:
                    first = (number, str(text))
                elif str(text) != first[1]:
                    yield Problem(
                        number,
                        name,
                        f"differs from line {first[0]}: every line of a claim "
                        "must have the same value",
                    )


def _parse_problem(parser: Parser, value: object) -> str | None:
    try:
        parser(value)
    except ValueError as exc:
        return str(exc)
    return None


DEFAULT_INTAKE_RULES: tuple[IntakeRule, ...] = (
    LineCount(),
    RequiredFields(),
    LineField("procedure_code", ("submitted_procedure",), parse_procedure),
    LineField("provider_npi", ("provider_npi",), parse_npi),
    LineField("amounts", AMOUNT_FIELDS, parse_amount),
    LineField("service_date", ("service_date",), parse_service_date),
    LineField("plan_and_subscriber", ("plan_group", "subscriber_number"), parse_text),
    LineField("quadrant", ("quadrant",), parse_quadrant),
    ClaimField("claim_reference", parse_reference),
    ClaimField("provider_tin", parse_tin),
    ClaimField("billing_provider_npi", parse_npi),
    ClaimField("patient_control_number", parse_patient_control_number),
    ClaimField("patient_first_name", parse_patient_first_name),
    ClaimField("patient_last_name", parse_patient_last_name),
    LineField(
        "line_item_control_number", ("line_item_control_number",), parse_line_item_control_number
    ),
    LineField("modifiers", ("modifiers",), parse_modifiers),
    ClaimLevelAgreement(),
)


def validate(claim: RawClaim, rules: Iterable[IntakeRule] = DEFAULT_INTAKE_RULES) -> list[Problem]:
    """Every problem every rule finds, in rule order."""
    return [problem for rule in rules for problem in rule.check(claim)]
