"""Read a JSON claim body: `{"claim_reference": ..., "lines": [{...}, ...]}` → a `RawClaim`.

The body is already parsed (the API reads the bytes, `api.routes.claim_intake.load_json`); here
its field names are made canonical (`field_names`) and every problem of shape is collected: a
body that is not an object, a lines value that is not a list, a line that is not an object, an
unknown or repeated field, a claim field that differs between lines.
"""

from __future__ import annotations

from paymentprocess.service.claims.field_names import (
    CLAIM_ALIASES,
    canonical_line,
    field_key,
    lift_claim_fields,
)
from paymentprocess.service.claims.raw_claim import Problem, RawClaim


def claim_from_json(document: object) -> tuple[RawClaim, list[Problem]]:
    """A RawClaim from a parsed JSON body `{"claim_reference": ..., "lines": [...]}`."""
    problems: list[Problem] = []
    claim = RawClaim()
    if not isinstance(document, dict):
        problems.append(Problem(None, None, "the body must be a JSON object with a lines list"))
        return claim, problems
    seen: set[str] = set()
    for name, value in document.items():
        canonical = CLAIM_ALIASES.get(field_key(str(name)))
        if canonical is None:
            problems.append(Problem(None, str(name), "unknown field"))
        elif canonical in seen:
            problems.append(Problem(None, canonical, "is given more than once"))
        elif canonical == "lines":
            seen.add(canonical)
            _json_lines(claim, value, problems)
        else:
            seen.add(canonical)
            setattr(claim, canonical, value)
    if "lines" not in seen:
        problems.append(Problem(None, "lines", "is required"))
    lift_claim_fields(claim, problems)
    return claim, problems


def _json_lines(claim: RawClaim, value: object, problems: list[Problem]) -> None:
    if not isinstance(value, list):
        problems.append(Problem(None, "lines", "must be a list of service lines"))
        return
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            claim.lines.append(canonical_line(number, item, problems))
        else:
            problems.append(Problem(number, None, "a service line must be a JSON object"))
            claim.lines.append({})
