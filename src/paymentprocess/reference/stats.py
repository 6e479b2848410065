"""Stats of a reference run: the §5 invariant, totals, counts, status and the §8 document.

The invariant `claims_net + interest + carried_in = net_pay + held + offsets − new_overpayment`
is checked for every payee and for the totals; a failure raises `InvariantError`. Totals are sums
over the cycle's payees (`paid` = Σ net_pay). `to_stats_document` renders PaymentEventStats with
amounts as two-place strings and payees without an id carrying their stats key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from paymentprocess.domain import payee_result
from paymentprocess.errors import InvariantError
from paymentprocess.reference.results import (
    ClaimResult,
    Counts,
    Finding,
    Mode,
    PayeeResult,
    ReferenceResult,
    Status,
    Totals,
)


def _holds(left: int, right: int, what: str) -> None:
    if left != right:
        raise InvariantError(
            f"{what}: claims_net + interest + carried_in = {left} but "
            f"net_pay + held + offsets − new_overpayment = {right}"
        )


def check_invariant(payees: list[PayeeResult], totals: Totals) -> None:
    """SPEC §5's invariant per payee and in total."""
    for p in payees:
        _holds(
            p.claims_net + p.interest + p.carried_in,
            p.net_pay + p.held + p.offsets - p.new_overpayment,
            f"payee {p.stats_key}",
        )
        if min(p.net_pay, p.held, p.offsets, p.new_overpayment, p.carried_in) < 0:
            raise InvariantError(f"payee {p.stats_key}: a ledger amount is negative")
    t = totals
    _holds(
        t.claims_net + t.interest + t.carried_in,
        t.paid + t.held + t.offsets - t.new_overpayment,
        "total",
    )


def totals_of(payees: list[PayeeResult]) -> Totals:
    return Totals(**{name: sum(getattr(p, name) for p in payees) for name in payee_result.NAMES})


def counts_of(claims: list[ClaimResult], payees: list[PayeeResult]) -> Counts:
    outcomes = Counter(c.outcome for c in claims)
    return Counts(
        claims=len(claims),
        by_frequency_code=dict(sorted(Counter(c.frequency_code or "" for c in claims).items())),
        by_outcome={o: outcomes.get(o, 0) for o in ("paid", "held", "excluded")},
        payees={
            "total": len(payees),
            "old": sum(not p.is_new for p in payees),
            "new": sum(p.is_new for p in payees),
            "paid": sum(p.net_pay > 0 for p in payees),
            "held": sum(p.held > 0 for p in payees),
            "overpaid": sum(p.new_overpayment > 0 for p in payees),
        },
    )


def status_of(mode: Mode, findings: list[Finding]) -> Status:
    critical = any(f.severity == "Critical" for f in findings)
    if not critical:
        return "Completed"
    return "Blocked" if mode == "final" else "CompletedWithErrors"


def _payee_row(p: PayeeResult) -> dict[str, Any]:
    row: dict[str, Any] = {"payment_center_id": p.payment_center_id}
    if p.payment_center_id is None:
        row["key"] = p.stats_key
    for f in payee_result.IN_STATS:
        row[f.name] = payee_result.document_value(f, getattr(p, f.name))
    return row


def to_stats_document(result: ReferenceResult) -> dict[str, Any]:
    """PaymentEventStats (SPEC §8) for a reference result, without timings."""
    t = result.totals
    return {
        "payment_event_id": result.payment_event_id,
        "mode": result.mode,
        "status": result.status,
        "totals": {
            total: payee_result.document_value(f, getattr(t, f.name))
            for f, total in payee_result.TOTALS
        },
        "counts": {
            "claims": result.counts.claims,
            "by_frequency_code": dict(result.counts.by_frequency_code),
            "by_outcome": dict(result.counts.by_outcome),
            "payees": dict(result.counts.payees),
        },
        "payees": [_payee_row(p) for p in result.payees],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "count": f.count,
                "sample_ids": list(f.sample_ids),
                "message": f.message,
            }
            for f in result.findings
        ],
        "timings_ms": {},
    }
