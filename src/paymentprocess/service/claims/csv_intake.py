"""Read a CSV claim body (the shape of claim_1234.csv) → a `RawClaim`: one row per service line.

This is the CSV parser of intake; it lives with the claims service rather than in `io/` (the
seed collections' import and export) because it yields the intake's own `RawClaim` and
`Problem`s. A byte-order mark is dropped and blank rows are skipped; the header's names are made
canonical (`field_names`); an unknown or repeated column, a row whose cell count differs from the
header's, and a claim field that differs between rows are problems naming the row and column.
"""

from __future__ import annotations

import csv
import io

from paymentprocess.service.claims.field_names import LINE_ALIASES, field_key, lift_claim_fields
from paymentprocess.service.claims.raw_claim import Problem, RawClaim


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
    lift_claim_fields(claim, problems)
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
