"""The reference implementation: plain, per-claim arithmetic in the seeds' own shape.

Never on the production path. It walks payees → parent claim groups → claims → service lines one
at a time with integer cents, and serves as the oracle of the property tests (the vectorized
`engine/` must agree with it to the cent), as the baseline of the benchmark, and as the producer of
the seeds' PaymentCenterClaims JSON for QA review. Decisions it takes where SPEC.md is silent are
written down in docs/semantics.md ("Reference notes").
"""

from paymentprocess.reference.cycle import compute_cycle
from paymentprocess.reference.export import to_payment_center_claims_json
from paymentprocess.reference.results import (
    ClaimResult,
    Counts,
    Finding,
    LedgerApplication,
    NewLedgerRecord,
    NewPayee,
    PayeeResult,
    Payment,
    ReferenceResult,
    Totals,
)
from paymentprocess.reference.stats import to_stats_document

__all__ = [
    "ClaimResult",
    "Counts",
    "Finding",
    "LedgerApplication",
    "NewLedgerRecord",
    "NewPayee",
    "PayeeResult",
    "Payment",
    "ReferenceResult",
    "Totals",
    "compute_cycle",
    "to_payment_center_claims_json",
    "to_stats_document",
]
