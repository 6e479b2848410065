"""Parse an intake claim: JSON document or CSV text → a validated `NewClaim`, or every problem.

`parse_claim` reads the body's fields (`json_intake` / `csv_intake`, names matched by
`field_names`), runs the intake rules (`intake_rules.validate`) and builds the typed claim
(`model.build_claim`). Nothing is stored here; `ClaimInputError` lists each problem once, naming
the line and field (a broken line, or a broken lines list, is not also missing each field).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paymentprocess.errors import PaymentError
from paymentprocess.service.claims.csv_intake import claim_from_csv
from paymentprocess.service.claims.intake_rules import validate
from paymentprocess.service.claims.json_intake import claim_from_json
from paymentprocess.service.claims.model import NewClaim, build_claim
from paymentprocess.service.claims.raw_claim import Problem


@dataclass
class ClaimInputError(PaymentError):
    """The claim is refused; `problems` name each line and field."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(
            f"line {p.line}: {p.field}: {p.message}" if p.line else f"{p.field}: {p.message}"
            for p in self.problems
        )


def parse_claim(document: object = None, *, csv_text: str | None = None) -> NewClaim:
    """A validated claim from a parsed JSON document or from CSV text."""
    raw, problems = claim_from_csv(csv_text) if csv_text is not None else claim_from_json(document)
    # Report every problem once: a broken line (or lines list) is not also missing each field.
    taken = {(p.line, p.field) for p in problems}
    broken = {p.line for p in problems if p.field is None or p.field == "lines"}
    problems += [
        p for p in validate(raw) if (p.line, p.field) not in taken and p.line not in broken
    ]
    if problems:
        raise ClaimInputError(problems)
    return build_claim(raw)
