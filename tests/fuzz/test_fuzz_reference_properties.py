"""Reference implementation over random cycles: it never fails, and its results hang together.

For every drawn cycle, both a Dry Run and a Final Run are computed; beyond the §5 invariant (which
`compute_cycle` enforces itself) the tests check what must hold whatever the data: outcomes cover
every claim, held and excluded claims move no money, chains telescope to their last effective
amount, ledger applications never exceed what was open, held money is under the minimum and
payments at or above it, the totals agree with the payments, the claims and the ledger
applications and records (not only with the payee rows they are summed from), and a Blocked run
produces nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from tests.strategies import cycle_documents

from paymentprocess.domain.money import parse_cents
from paymentprocess.reference import ReferenceResult, compute_cycle

EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _open_amounts(documents: dict[str, list[dict[str, Any]]]) -> dict[int, int]:
    return {
        r["OverAndUnderPayment_ID"]: parse_cents(r.get("RemainingAmount", r["TotalAmount"]))
        for r in documents["OverAndUnderPayment"]
    }


def _check_claims(result: ReferenceResult, documents: dict[str, list[dict[str, Any]]]) -> None:
    cycle = [
        c
        for c in documents["ClaimFinCore"]
        if c["PaymentEvent_ID"] == "PE-1" and c["Status"] == "Unpaid"
    ]
    assert sorted(c.claim_core_id for c in result.claims) == sorted(
        c["ClaimCore_ID"] for c in cycle
    )
    assert sum(result.counts.by_outcome.values()) == len(cycle)
    history: dict[str, int] = defaultdict(int)
    for doc in documents["ClaimFinCore"]:
        if doc["Status"] == "Paid":
            chain = (doc.get("ParentClaimCore_ID") or "").strip() or doc["ClaimCore_ID"]
            history[chain] += parse_cents(doc["PaidAmount"])
    last: dict[str, int] = {}
    nets: dict[str, int] = defaultdict(int)
    for claim in sorted(result.claims, key=lambda c: c.claim_core_id):
        assert claim.payable >= 0
        assert claim.estimate >= 0
        assert claim.interest >= 0
        if claim.outcome != "paid":
            assert (claim.net, claim.interest) == (0, 0)
            assert claim.hold_reason is not None
            continue
        if claim.interest:
            assert claim.net > 0
        nets[claim.chain_id] += claim.net
    for claim in sorted(
        result.claims, key=lambda c: (_received(documents, c.claim_core_id), c.claim_core_id)
    ):
        if claim.outcome == "paid":
            last[claim.chain_id] = 0 if claim.frequency_code == "8" else claim.payable
    for chain, total in nets.items():  # nets telescope: Σ net = last effective − paid history
        assert total == last[chain] - history.get(chain, 0)


def _received(documents: dict[str, list[dict[str, Any]]], claim_id: str) -> str:
    return next(
        str(c["ReceivedDate"]) for c in documents["ClaimFinCore"] if c["ClaimCore_ID"] == claim_id
    )


def _check_payees(result: ReferenceResult, documents: dict[str, list[dict[str, Any]]]) -> None:
    minimum = parse_cents(documents["FundingSource"][0]["MinimumPayment"])
    if result.status == "Blocked":
        assert (result.payees, result.applications, result.payments, result.new_records) == (
            [],
            [],
            [],
            [],
        )
        return
    opened = _open_amounts(documents)
    applied: dict[int, int] = defaultdict(int)
    for a in result.applications:
        assert a.amount > 0
        applied[a.record_id] += a.amount
    assert all(applied[r] <= opened[r] for r in applied)
    refunds = {r["Refund_ID"]: parse_cents(r["Amount"]) for r in documents["Refund"]}
    by_refund: dict[str, int] = defaultdict(int)
    for a in result.applications:
        if a.kind == "refund":
            by_refund[str(a.refund_id)] += a.amount
    assert all(by_refund[r] <= refunds[r] for r in by_refund)
    for p in result.payees:
        assert min(p.net_pay, p.held, p.offsets, p.new_overpayment, p.carried_in) >= 0
        assert not (p.held and p.net_pay)
        assert p.held < max(minimum, 1)
        assert p.net_pay == 0 or p.net_pay >= minimum
    assert sorted(x.amount for x in result.payments) == sorted(
        p.net_pay for p in result.payees if p.net_pay
    )
    # The totals, from what the run produced rather than from the payee rows they are summed
    # from: the payments, the claims, the ledger applications and the new ledger records.
    by_kind: dict[str, int] = defaultdict(int)
    for a in result.applications:
        by_kind[a.kind] += a.amount
    new: dict[str, int] = defaultdict(int)
    for r in result.new_records:
        new[r.type] += r.amount
    assert result.totals.paid == sum(x.amount for x in result.payments)
    assert result.totals.claims_net == sum(c.net for c in result.claims)
    assert result.totals.interest == sum(c.interest for c in result.claims)
    assert result.totals.carried_in == by_kind["carry_in"]
    assert result.totals.offsets == by_kind["offset"]  # refunds reduce records, not pay
    assert result.totals.new_overpayment == new["OverPayment"]
    assert result.totals.held == new["UnderPayment"]


def _check_numbering(result: ReferenceResult) -> None:
    if result.mode == "dry-run" or result.status == "Blocked":
        assert all(x.check_number is None for x in result.payments)
        return
    numbers = [int(str(x.check_number)) for x in result.payments]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True
    ids = [p.payment_center_id for p in result.payees]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    assert [x.payment_center_id for x in result.payments] == sorted(
        x.payment_center_id or 0 for x in result.payments
    )


@EXAMPLES
@given(cycle_documents())
def test_reference_results_hang_together(
    drawn: tuple[dict[str, list[dict[str, Any]]], str],
) -> None:
    documents, event_id = drawn
    for mode in ("dry-run", "final"):
        result = compute_cycle(documents, event_id, mode)  # raises InvariantError if §5 fails
        _check_claims(result, documents)
        _check_payees(result, documents)
        _check_numbering(result)
        critical = any(f.severity == "Critical" for f in result.findings)
        expected = (
            ("Blocked" if mode == "final" else "CompletedWithErrors") if critical else "Completed"
        )
        assert result.status == expected
