"""A payee's settlement in a cycle (SPEC §5, §6): carry-in, refunds, offsets, new records, hold.

`settle_payee` walks one PaymentCenterClaims entry: its open UnderPayment records are carried in
whole; its open refunds reduce its open OverPayment records (the refund's chain first, then oldest
first); if what is available is positive the remaining OverPayment records are offset oldest first;
a negative amount becomes a new OverPayment record (chain of the most negative claim net); a
positive amount under the funding source's minimum becomes a new UnderPayment record and is held.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from paymentprocess.reference.model import Claim, CycleInput, LedgerRecord, Refund
from paymentprocess.reference.payees import PaymentCenterManager
from paymentprocess.reference.payment_center_claims import PaymentCenterClaims
from paymentprocess.reference.results import LedgerApplication, PayeeAmounts


@dataclass
class OpenRefund:
    """A refund still open, with the chain of its claim and what is left of it."""

    refund: Refund
    chain_id: str | None
    left: int

    @property
    def order_key(self) -> tuple[bool, dt.date, str]:
        received = self.refund.received_date
        return (received is not None, received or dt.date.min, self.refund.refund_id)


@dataclass
class Settlement(PayeeAmounts):
    """The §5 amounts of one payee, its applications and its new record (without ids)."""

    applications: list[LedgerApplication] = field(default_factory=list)
    new_record: tuple[Literal["OverPayment", "UnderPayment"], int, str | None] | None = None


def open_refunds(
    cycle: CycleInput, payees: PaymentCenterManager, cycle_keys: set[str]
) -> tuple[dict[str, list[OpenRefund]], list[OpenRefund]]:
    """Open refunds of cycle payees (by key, in order) and refunds whose claim gives no payee."""
    claims: dict[str, Claim] = {}
    for claim in reversed(cycle.all_claims):
        claims[claim.claim_core_id] = claim  # the first document of an id wins
    by_key: dict[str, list[OpenRefund]] = defaultdict(list)
    orphans: list[OpenRefund] = []
    for refund in cycle.refunds:
        if refund.open_amount <= 0:
            continue  # fully applied already (here, or by the legacy system)
        original = claims.get(refund.original_claim_core_id or "")
        key = None if original is None else payees.key_of(original)
        if original is None or key is None:
            orphans.append(OpenRefund(refund, None, refund.open_amount))
        elif key in cycle_keys:
            by_key[key].append(OpenRefund(refund, original.chain_id, refund.open_amount))
    for refunds in by_key.values():
        refunds.sort(key=lambda r: r.order_key)
    return dict(by_key), orphans


def _apply_refunds(
    entry: PaymentCenterClaims,
    refunds: list[OpenRefund],
    remaining: dict[int, int],
    out: Settlement,
) -> None:
    pc_id = entry.payment_center.payment_center_id if entry.payment_center else 0
    for refund in refunds:
        same_chain = [r for r in entry.over_payments if r.claim_chain_id == refund.chain_id]
        others = [r for r in entry.over_payments if r.claim_chain_id != refund.chain_id]
        for record in same_chain + others:
            take = min(remaining[record.record_id], refund.left)
            if take <= 0:
                continue
            remaining[record.record_id] -= take
            refund.left -= take
            out.refunds_applied += take
            out.applications.append(
                LedgerApplication(
                    "refund",
                    record.record_id,
                    pc_id,
                    str(entry.payee_key),
                    take,
                    refund.refund.refund_id,
                )
            )


def _offset(
    entry: PaymentCenterClaims, remaining: dict[int, int], available: int, out: Settlement
) -> None:
    pc_id = entry.payment_center.payment_center_id if entry.payment_center else 0
    for record in entry.over_payments:
        take = min(remaining[record.record_id], available - out.offsets)
        if take <= 0:
            continue
        remaining[record.record_id] -= take
        out.offsets += take
        out.applications.append(
            LedgerApplication("offset", record.record_id, pc_id, str(entry.payee_key), take)
        )


def _overpayment_chain(entry: PaymentCenterClaims) -> str | None:
    negative = [c for c in entry.paid_outcome_claims() if c.net < 0]
    if not negative:
        return None
    return min(negative, key=lambda c: (c.net, c.chain_id)).chain_id


def settle_payee(entry: PaymentCenterClaims, refunds: list[OpenRefund], minimum: int) -> Settlement:
    """The whole §5 result of one cycle payee."""
    out = Settlement()
    for claim in entry.paid_outcome_claims():
        out.claims_net += claim.net
        out.interest += claim.interest
    for record in entry.under_payments:
        out.carried_in += record.remaining
        out.applications.append(_carry_in(entry, record))
    remaining = {r.record_id: r.remaining for r in entry.over_payments}
    _apply_refunds(entry, refunds, remaining, out)
    available = out.claims_net + out.interest + out.carried_in
    if available > 0:
        _offset(entry, remaining, available, out)
        out.net_pay = available - out.offsets
    elif available < 0:
        out.new_overpayment = -available
        out.new_record = ("OverPayment", -available, _overpayment_chain(entry))
    if 0 < out.net_pay < minimum:
        out.held, out.net_pay = out.net_pay, 0
        out.new_record = ("UnderPayment", out.held, None)
    return out


def _carry_in(entry: PaymentCenterClaims, record: LedgerRecord) -> LedgerApplication:
    return LedgerApplication(
        "carry_in",
        record.record_id,
        record.payment_center_id,
        str(entry.payee_key),
        record.remaining,
    )
