"""ServiceLineProcessor: a line's payable and a claim's payable and estimate (SPEC §4).

A line pays `allowed − deductible − coinsurance − copay − other_adjustment`, floored at 0 (a
negative raw value is reported as NEGATIVE_PAYABLE). The Final Run pays the sum of its lines; the Dry Run
estimates with the same formula on the header totals, each missing header total taken as the sum
of that amount over the lines, floored at 0. Everything is integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass

from paymentprocess.reference.model import AMOUNTS, MEMBER_SHARE, Claim, ServiceLine


@dataclass(frozen=True)
class LinePayment:
    """One line's payable and its raw (unfloored) value."""

    line_number: int
    raw: int
    payable: int


@dataclass(frozen=True)
class ClaimPayable:
    """A claim's line payments, their sum (Final payable) and the header estimate (Dry Run)."""

    lines: tuple[LinePayment, ...]
    line_payable: int
    estimate: int

    @property
    def has_negative_line(self) -> bool:
        return any(line.raw < 0 for line in self.lines)


def _raw(amounts: dict[str, int]) -> int:
    return amounts["Allowed"] - sum(amounts[name] for name in MEMBER_SHARE)


class ServiceLineProcessor:
    """Computes line payables and rolls them up to the claim, one line at a time."""

    def compute_service_line(self, line: ServiceLine) -> LinePayment:
        raw = _raw(line.amounts)
        return LinePayment(line.line_number, raw, max(0, raw))

    def header_totals(self, claim: Claim) -> dict[str, int]:
        """The header amounts, each missing one replaced by the sum over the lines."""
        totals: dict[str, int] = {}
        for name in AMOUNTS:
            given = claim.header.get(name)
            totals[name] = (
                given if given is not None else sum(line.amounts[name] for line in claim.lines)
            )
        return totals

    def rollup_to_claim(self, claim: Claim) -> ClaimPayable:
        lines = tuple(self.compute_service_line(line) for line in claim.lines)
        estimate = max(0, _raw(self.header_totals(claim)))
        return ClaimPayable(lines, sum(line.payable for line in lines), estimate)
