"""The numbers the charts draw, computed before any pixel: net-pay bins in whole cents and the
money-flow waterfall, whose signed steps sum to the paid total exactly (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bin:
    low: int  # cents, inclusive
    high: int  # cents, exclusive
    count: int


def histogram(values: list[int], bins: int = 10) -> list[Bin]:
    """Equal-width bins over [0, max] in whole cents; every value falls in exactly one bin."""
    if not values:
        return []
    low, top = min(0, *values), max(values)
    width = max(1, -(-(top - low + 1) // bins))  # ceiling division, cents
    counts = [0] * bins
    for value in values:
        counts[min((value - low) // width, bins - 1)] += 1
    return [Bin(low + i * width, low + (i + 1) * width, counts[i]) for i in range(bins)]


@dataclass(frozen=True)
class Step:
    label: str
    amount: int  # cents, signed: what the step adds to the running total
    start: int
    end: int
    total: bool = False


FLOW = (  # SPEC §5: paid = claims net + interest + carried in − offsets − held + new overpayment
    ("claims net", "claims_net", 1),
    ("interest", "interest", 1),
    ("carry-in", "carried_in", 1),
    ("offsets", "offsets", -1),
    ("holds", "held", -1),
    ("new overpayments", "new_overpayment", 1),
)


def waterfall(totals: dict[str, int]) -> list[Step]:
    """The cycle's money flow, claims net → … → paid; the last step is the paid total, and the
    signed steps before it sum to it exactly when the totals keep the SPEC §5 invariant."""
    steps, running = [], 0
    for label, name, sign in FLOW:
        amount = sign * totals.get(name, 0)
        steps.append(Step(label, amount, running, running + amount))
        running += amount
    paid = totals.get("paid", 0)
    steps.append(Step("paid", paid, 0, paid, total=True))
    return steps


def balanced(steps: list[Step]) -> bool:
    return sum(s.amount for s in steps if not s.total) == steps[-1].amount
