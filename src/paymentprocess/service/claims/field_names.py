"""Turn a JSON document or a CSV text into a `RawClaim` with canonical field names.

Field names are matched whatever their case, spacing or punctuation: `Provider NPI`,
`provider_npi`, `Plan/Group #`, `Subscriber#`, `member coinsurance` all find their field
(`field_key` lower-cases, spells `#` as `number` and drops everything but letters and digits).
Unknown or repeated fields are problems, not silently dropped. `claim_reference` and
`provider_tin` / `billing_provider_npi` may also be CSV columns (or line fields): they must then
agree on every line. `provider_npi` is a line's own and may differ between lines.
"""

from __future__ import annotations

import csv
import io
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


def _canonical_line(
    number: int, given: dict[str, object], problems: list[Problem]
) -> dict[str, object]:
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
    _lift_claim_fields(claim, problems)
    return claim, problems


def _json_lines(claim: RawClaim, value: object, problems: list[Problem]) -> None:
    if not isinstance(value, list):
        problems.append(Problem(None, "lines", "must be a list of service lines"))
        return
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            claim.lines.append(_canonical_line(number, item, problems))
        else:
            problems.append(Problem(number, None, "a service line must be a JSON object"))
            claim.lines.append({})


def claim_from_csv(text: str) -> tuple[RawClaim, list[Problem]]:
    """A RawClaim from CSV text: a header row, then one row per service line."""
    claim = RawClaim()
    try:
        reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        return claim, [Problem(None, None, f"the CSV cannot be read: {exc}")]
    if not rows:
        return claim, [Problem(None, "lines", "the CSV has no header row")]
    columns, problems = _csv_columns(rows[0])
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(columns):
            problems.append(
                Problem(number, None, f"has {len(row)} cells but the header has {len(columns)}")
            )
        claim.lines.append({c: v for c, v in zip(columns, row, strict=False) if c is not None})
    _lift_claim_fields(claim, problems)
    return claim, problems


def _csv_columns(header: list[str]) -> tuple[list[str | None], list[Problem]]:
    """The canonical field of each CSV column (None for a column in error) and the problems."""
    columns: list[str | None] = []
    problems: list[Problem] = []
    for name in header:
        canonical = LINE_ALIASES.get(field_key(name))
        if canonical is None:
            problems.append(Problem(None, name.strip(), "unknown CSV column"))
        elif canonical in columns:
            problems.append(Problem(None, canonical, "CSV column given more than once"))
            canonical = None
        columns.append(canonical)
    return columns, problems


def _lift_claim_fields(claim: RawClaim, problems: list[Problem]) -> None:
    """Move claim_reference / provider_tin / billing_provider_npi given on lines up to the claim;
    they must agree."""
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
