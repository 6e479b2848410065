"""ClaimTransformer: the seeds' PaymentCenterClaims shape, built from the processed claims.

One `PaymentCenterClaims` per payee key: the PaymentCenter (None for a new payee), its open
OverAndUnderPayment records split into OverPayment and UnderPayment, and its claims grouped by
ParentClaimCore_ID into PaidClaim (code 1), VoidClaim (8) and AdjustClaim (7) lists (any other code
goes to OtherClaim). Claims without a payee key are grouped under a `None` key so QA sees them.
Chains are computed before grouping, so a chain whose claims name different payees stays whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from paymentprocess.reference.model import CycleInput, LedgerRecord, PaymentCenter
from paymentprocess.reference.payees import PaymentCenterManager
from paymentprocess.reference.results import ClaimResult, NewPayee, PayeeResult

GROUP_OF_CODE = {"1": "paid_claim", "8": "void_claim", "7": "adjust_claim"}


@dataclass
class ParentClaimGroup:
    """The claims of one chain (ParentClaimCore_ID) for one payee, by kind."""

    parent_claim_core_id: str
    paid_claim: list[ClaimResult] = field(default_factory=list)
    void_claim: list[ClaimResult] = field(default_factory=list)
    adjust_claim: list[ClaimResult] = field(default_factory=list)
    other_claim: list[ClaimResult] = field(default_factory=list)

    def add(self, claim: ClaimResult) -> None:
        getattr(self, GROUP_OF_CODE.get(claim.frequency_code or "", "other_claim")).append(claim)

    def all_claims(self) -> Iterator[ClaimResult]:
        yield from self.paid_claim
        yield from self.void_claim
        yield from self.adjust_claim
        yield from self.other_claim


@dataclass
class PaymentCenterClaims:
    """One payee with its carry-over context and its claims grouped by chain."""

    payee_key: str | None
    payment_center: PaymentCenter | None
    over_payments: list[LedgerRecord]
    under_payments: list[LedgerRecord]
    claims: dict[str, ParentClaimGroup] = field(default_factory=dict)
    new_payee: NewPayee | None = None
    result: PayeeResult | None = None

    def all_claims(self) -> Iterator[ClaimResult]:
        for group in self.claims.values():
            yield from group.all_claims()

    def paid_outcome_claims(self) -> list[ClaimResult]:
        return [c for c in self.all_claims() if c.outcome == "paid"]

    @property
    def in_cycle(self) -> bool:
        """A cycle payee: it has a paid-outcome claim or an open UnderPayment record."""
        if self.payee_key is None:
            return False
        return bool(self.under_payments) or any(c.outcome == "paid" for c in self.all_claims())


def open_records(cycle: CycleInput, payees: PaymentCenterManager) -> dict[int, list[LedgerRecord]]:
    """Open ledger records (remaining > 0) of payees of the event's type, oldest first."""
    by_payee: dict[int, list[LedgerRecord]] = defaultdict(list)
    for record in cycle.ledger:
        pc = payees.by_id.get(record.payment_center_id)
        if record.remaining > 0 and pc is not None and pc.payment_center_type == payees.payee_type:
            by_payee[record.payment_center_id].append(record)
    for records in by_payee.values():
        records.sort(key=lambda r: r.order_key)
    return dict(by_payee)


class ClaimTransformer:
    """Builds PaymentCenterClaims from claim results and the ledger."""

    def __init__(self, cycle: CycleInput, payees: PaymentCenterManager) -> None:
        self.cycle = cycle
        self.payees = payees
        self.records = open_records(cycle, payees)

    def _entry(self, key: str | None) -> PaymentCenterClaims:
        pc = None if key is None else self.payees.payment_center(key)
        records = [] if pc is None else self.records.get(pc.payment_center_id, [])
        return PaymentCenterClaims(
            payee_key=key,
            payment_center=pc,
            over_payments=[r for r in records if r.type == "OverPayment"],
            under_payments=[r for r in records if r.type == "UnderPayment"],
        )

    def to_payment_center_claims(self, claims: list[ClaimResult]) -> list[PaymentCenterClaims]:
        """Entries for every key of a cycle claim and every payee with an open UnderPayment."""
        entries: dict[str | None, PaymentCenterClaims] = {}
        for claim in claims:
            entry = entries.get(claim.payee_key)
            if entry is None:
                entry = entries[claim.payee_key] = self._entry(claim.payee_key)
            group = entry.claims.get(claim.chain_id)
            if group is None:
                group = entry.claims[claim.chain_id] = ParentClaimGroup(claim.chain_id)
            group.add(claim)
        for pc_id, records in self.records.items():
            pc = self.payees.by_id[pc_id]
            usable = pc.key is not None and self.payees.payment_center(pc.key) is pc
            if usable and pc.key not in entries and any(r.type == "UnderPayment" for r in records):
                entries[pc.key] = self._entry(pc.key)
        return sorted(entries.values(), key=lambda e: (e.payee_key is None, e.payee_key or ""))
