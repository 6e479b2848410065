"""Prompt-pay interest of one claim (SPEC §4), with the rate that is in force on the payment date.

The interest row is the one of the payee's contract type whose period contains the payment date
(`EffectiveFrom ≤ PaymentDueDate ≤ EffectiveTo`, open-ended without `EffectiveTo`); of several, the
latest `EffectiveFrom`, and of equal ones the later row. Grace days are the business's
`CustomInterestDays` when set, else the row's. `late_days = PaymentDueDate − ReceivedDate − grace`
and `interest = round_half_up(net × rate × late_days / 365)` via `domain.money.interest_cents`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paymentprocess.domain.money import interest_cents
from paymentprocess.reference.model import CycleInput, InterestRow


@dataclass(frozen=True)
class InterestTerms:
    """The rate (parts per million) and grace days that apply to one contract type."""

    rate_ppm: int
    grace_days: int


def row_in_force(
    rows: tuple[InterestRow, ...], contract_type: str, on: dt.date
) -> InterestRow | None:
    """The interest row of `contract_type` in force on `on`, or None."""
    best: InterestRow | None = None
    for row in rows:
        if row.contract_type != contract_type or row.effective_from > on:
            continue
        if row.effective_to is not None and row.effective_to < on:
            continue
        if best is None or row.effective_from >= best.effective_from:
            best = row
    return best


def interest_terms(cycle: CycleInput, contract_type: str) -> InterestTerms | None:
    """The terms for a contract type on the event's payment date; None when no row applies."""
    row = row_in_force(cycle.interest_rows, contract_type, cycle.payment_due_date)
    if row is None:
        return None
    grace = cycle.custom_interest_days if cycle.custom_interest_days is not None else row.grace_days
    return InterestTerms(row.rate_ppm, grace)


def claim_interest(
    net: int, received: dt.date, payment_date: dt.date, terms: InterestTerms | None
) -> int:
    """Interest on a claim's net; 0 without terms, for a net ≤ 0 or when not late."""
    if terms is None or net <= 0:
        return 0
    late_days = (payment_date - received).days - terms.grace_days
    return interest_cents(net, terms.rate_ppm, late_days)
