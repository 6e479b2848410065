"""ClaimProcessor: each cycle claim's outcome, net and interest (SPEC §4, semantics.md).

A claim is first checked for the reasons that hold or exclude it on its own (missing payee id,
bad frequency code, outside the inclusion criteria, a payment-holding process code). Then each
chain (claims sharing a ParentClaimCore_ID) is walked in (ReceivedDate, ClaimCore_ID) order: a
chain without paid history is anchored by its first eligible original, and a replacement or void
before the anchor is held as missing parent. Paid-outcome claims advance the chain: net = effective
amount after − before, starting from the chain's paid history. Interest goes on positive nets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from paymentprocess.reference.interest import InterestTerms, claim_interest, interest_terms
from paymentprocess.reference.model import VALID_FREQUENCY_CODES, Claim, CycleInput
from paymentprocess.reference.payees import PaymentCenterManager
from paymentprocess.reference.results import ClaimResult, Mode, Outcome
from paymentprocess.reference.service_lines import ClaimPayable, ServiceLineProcessor


@dataclass
class _Work:
    """A claim on its way through the processor."""

    claim: Claim
    key: str | None
    payable: ClaimPayable
    reason: str | None
    net: int = 0
    interest: int = 0


def paid_history(cycle: CycleInput) -> dict[str, int]:
    """Chain id → Σ PaidAmount of its Paid claims; a chain is present iff it has paid history."""
    history: dict[str, int] = defaultdict(int)
    for claim in cycle.all_claims:
        if claim.status == "Paid":
            history[claim.chain_id] += claim.paid_amount
    return dict(history)


class ClaimProcessor:
    """Walks the cycle's claims chain by chain and produces one ClaimResult per claim."""

    def __init__(self, cycle: CycleInput, payees: PaymentCenterManager, mode: Mode) -> None:
        self.cycle = cycle
        self.payees = payees
        self.mode = mode
        self.lines = ServiceLineProcessor()
        self.history = paid_history(cycle)
        self._terms: dict[str, InterestTerms | None] = {}

    def own_hold_reason(self, claim: Claim, key: str | None) -> str | None:
        """The first reason that holds or excludes a claim by itself, or None."""
        if key is None:
            return "missing_payee_id"
        if claim.frequency_code not in VALID_FREQUENCY_CODES:
            return "frequency_code"
        if not self.is_included(claim, key):
            return "inclusion_criteria"
        if any(code in self.cycle.holding_process_codes for code in claim.process_codes):
            return "process_exception"
        return None

    def is_included(self, claim: Claim, key: str) -> bool:
        criteria = self.cycle.criteria
        if criteria.benefit_plan_ids and claim.benefit_plan_id not in criteria.benefit_plan_ids:
            return False
        names = {key}
        pc_id = self.payees.payment_center_id(key)
        if pc_id is not None:
            names.add(str(pc_id))
        if criteria.include and not names & criteria.include:
            return False
        return not names & criteria.exclude

    def process(self) -> list[ClaimResult]:
        """Every cycle claim's result, sorted by ClaimCore_ID."""
        work = []
        for claim in self.cycle.claims:
            key = self.payees.key_of(claim)
            payable = self.lines.rollup_to_claim(claim)
            work.append(_Work(claim, key, payable, self.own_hold_reason(claim, key)))
        chains: dict[str, list[_Work]] = defaultdict(list)
        for item in work:
            chains[item.claim.chain_id].append(item)
        for chain_id, items in chains.items():
            items.sort(key=lambda w: (w.claim.received_date, w.claim.claim_core_id))
            self.walk_chain(chain_id, items)
        work.sort(key=lambda w: w.claim.claim_core_id)
        return [self._result(item) for item in work]

    def amount(self, item: _Work) -> int:
        """The payable the chain uses: line sum in a Final Run, header estimate in a Dry Run."""
        return item.payable.line_payable if self.mode == "final" else item.payable.estimate

    def walk_chain(self, chain_id: str, items: list[_Work]) -> None:
        """Anchor, then advance the chain's effective amount claim by claim."""
        anchored = chain_id in self.history
        effective = self.history.get(chain_id, 0)
        for item in items:
            if item.reason is None and not anchored:
                if item.claim.frequency_code == "1":
                    anchored = True
                else:
                    item.reason = "missing_parent_paid"
            if item.reason is not None:
                continue
            after = 0 if item.claim.frequency_code == "8" else self.amount(item)
            item.net = after - effective
            effective = after
            item.interest = self._interest(item)

    def _interest(self, item: _Work) -> int:
        if item.key is None:  # cannot happen: a claim without a payee is held
            return 0
        contract = self.payees.contract_type(item.key)
        if contract not in self._terms:
            self._terms[contract] = interest_terms(self.cycle, contract)
        terms = self._terms[contract]
        return claim_interest(
            item.net, item.claim.received_date, self.cycle.payment_due_date, terms
        )

    def _result(self, item: _Work) -> ClaimResult:
        reason = item.reason
        outcome: Outcome = "paid"
        if reason == "inclusion_criteria":
            outcome = "excluded"
        elif reason is not None:
            outcome = "held"
        return ClaimResult(
            claim_core_id=item.claim.claim_core_id,
            chain_id=item.claim.chain_id,
            frequency_code=item.claim.frequency_code,
            outcome=outcome,
            hold_reason=reason,
            payable=self.amount(item),
            estimate=item.payable.estimate,
            line_payable=item.payable.line_payable,
            net=item.net,
            interest=item.interest,
            payee_key=item.key,
            line_payables=tuple(line.payable for line in item.payable.lines),
        )
