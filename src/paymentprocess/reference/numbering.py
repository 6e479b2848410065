"""SequenceNumbers: the ids a Final Run hands out, and the check that no sequence is behind.

A run uses three sequences: `PaymentCenter` (new payees), `OverAndUnderPayment` (new ledger
records) and `CheckNumber:<FundingSource_ID>` (payments). Each holds the last number used; one
that does not exist starts from the largest id in use (0 if none). A sequence whose value is below
the largest id in use is a SEQUENCE_MISMATCH.
"""

from __future__ import annotations

from paymentprocess.reference.model import CycleInput

PAYMENT_CENTER = "PaymentCenter"
OVER_AND_UNDER_PAYMENT = "OverAndUnderPayment"


def largest_in_use(cycle: CycleInput) -> dict[str, int]:
    """Sequence name → the largest id already in use."""
    return {
        PAYMENT_CENTER: max((pc.payment_center_id for pc in cycle.payment_centers), default=0),
        OVER_AND_UNDER_PAYMENT: max((r.record_id for r in cycle.ledger), default=0),
        cycle.check_sequence: max(cycle.check_numbers_in_use, default=0),
    }


def sequence_mismatches(cycle: CycleInput) -> list[str]:
    """Names of the run's sequences that exist and are below the largest id in use."""
    return sorted(
        name
        for name, used in largest_in_use(cycle).items()
        if name in cycle.sequences and cycle.sequences[name] < used
    )


class Sequences:
    """Hands out the next numbers of the run's sequences and remembers where they end."""

    def __init__(self, cycle: CycleInput) -> None:
        self.values = {
            name: cycle.sequences.get(name, used) for name, used in largest_in_use(cycle).items()
        }

    def next(self, name: str) -> int:
        self.values[name] += 1
        return self.values[name]
