"""Canonical field names of an intake claim, whatever the caller's spelling.

Field names are matched whatever their case, spacing or punctuation: `Provider NPI`,
`provider_npi`, `Plan/Group #`, `Subscriber#`, `member coinsurance` all find their field
(`field_key` lower-cases, spells `#` as `number` and drops everything but letters and digits).
Unknown or repeated fields are problems, not silently dropped. The claim fields
(`raw_claim.CLAIM_FIELDS`: `claim_reference`, `provider_tin`, `billing_provider_npi` and the
patient's `patient_control_number` / `patient_first_name` / `patient_last_name`) may also be CSV
columns (or line fields): they must then agree on every line (`lift_claim_fields`). `provider_npi` is a line's own and may differ between
lines. The readers of a body are `json_intake` and `csv_intake`.
"""

from __future__ import annotations

import re

from paymentprocess.service.claims.raw_claim import (
    CLAIM_FIELDS,
    LINE_FIELDS,
    Problem,
    RawClaim,
    is_blank,
)

_EXTRA_ALIASES = {
    "plangroupnumber": "plan_group",
    "plangroupno": "plan_group",
    "groupnumber": "plan_group",
    "subscriber": "subscriber_number",
    "subscriberno": "subscriber_number",
    "subscriberid": "subscriber_number",
    "npi": "provider_npi",
    "tin": "provider_tin",
    "billingnpi": "billing_provider_npi",
    "procedure": "submitted_procedure",
    "procedurecode": "submitted_procedure",
    "modifier": "modifiers",
    "proceduremodifiers": "modifiers",
    "pcn": "patient_control_number",
    "patientaccountnumber": "patient_control_number",
    "lineitemcontrol": "line_item_control_number",
}


def field_key(name: str) -> str:
    """The spelling-insensitive key of a field name: `Plan/Group #` → `plangroupnumber`."""
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("#", "number"))


def _aliases(names: tuple[str, ...]) -> dict[str, str]:
    table = {field_key(n): n for n in names}
    table.update({k: v for k, v in _EXTRA_ALIASES.items() if v in names})
    return table


LINE_ALIASES = _aliases(LINE_FIELDS + CLAIM_FIELDS)
CLAIM_ALIASES = _aliases((*CLAIM_FIELDS, "lines"))


def canonical_line(
    number: int, given: dict[str, object], problems: list[Problem]
) -> dict[str, object]:
    """Line `number`'s fields under their canonical names; unknown or repeated ones are problems."""
    line: dict[str, object] = {}
    for name, value in given.items():
        canonical = LINE_ALIASES.get(field_key(str(name)))
        if canonical is None:
            problems.append(Problem(number, str(name), "unknown field"))
        elif canonical in line:
            problems.append(Problem(number, canonical, "is given more than once"))
        else:
            line[canonical] = value
    return line


def lift_claim_fields(claim: RawClaim, problems: list[Problem]) -> None:
    """Move the claim fields (`CLAIM_FIELDS`: claim_reference, provider_tin, billing_provider_npi,
    the patient's) given on lines up to the claim; they must agree."""
    for name in CLAIM_FIELDS:
        for number, line in enumerate(claim.lines, start=1):
            value = line.pop(name, None)
            if is_blank(value):
                continue
            current = getattr(claim, name)
            if is_blank(current):
                setattr(claim, name, value)
            elif str(current).strip() != str(value).strip():
                problems.append(
                    Problem(
                        number,
                        name,
                        "differs from the claim's value: it must be the same on every line",
                    )
                )
