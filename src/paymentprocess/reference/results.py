"""What the reference implementation returns: one dataclass per result kind, amounts in cents.

`ReferenceResult` is the whole outcome of one cycle: per-claim results, per-payee results, the
ledger actions (applications to existing records and new records), the payments, the payees a
Final Run creates, the findings, the stats totals and counts, and the run status. It is the
oracle's answer that property tests compare with the vectorized engine, field by field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from paymentprocess.domain import payee_result

Mode = Literal["dry-run", "final"]
Outcome = Literal["paid", "held", "excluded"]
Status = Literal["Completed", "CompletedWithErrors", "Blocked"]


@dataclass(frozen=True)
class ClaimResult:
    """One cycle claim: outcome, amounts (payable is the line sum in Final, estimate in Dry Run)."""

    claim_core_id: str
    chain_id: str
    frequency_code: str | None
    outcome: Outcome
    hold_reason: str | None
    payable: int
    estimate: int
    line_payable: int
    net: int
    interest: int
    payee_key: str | None
    line_payables: tuple[int, ...] = ()


@dataclass
class PayeeAmounts:
    """A payee's §5 amounts in cents: the reference's typed copy of domain.payee_result.FIELDS
    (the same names in the same order; tests/unit/test_payee_result.py keeps them equal)."""

    claims_net: int = 0
    interest: int = 0
    carried_in: int = 0
    offsets: int = 0
    new_overpayment: int = 0
    held: int = 0
    net_pay: int = 0
    refunds_applied: int = 0

    def amounts(self) -> dict[str, int]:
        """Every payee-result field by name, in domain.payee_result's order."""
        return {name: int(getattr(self, name)) for name in payee_result.NAMES}


@dataclass(kw_only=True)
class PayeeResult(PayeeAmounts):
    """One cycle payee's §5 result."""

    payee_key: str
    stats_key: str  # TaxID|NPI, or member:<sha256 prefix> — never a member id
    payment_center_id: int | None
    is_new: bool


@dataclass(frozen=True)
class LedgerApplication:
    """An amount applied this cycle to an existing ledger record."""

    kind: Literal["carry_in", "refund", "offset"]
    record_id: int
    payment_center_id: int
    payee_key: str
    amount: int
    refund_id: str | None = None


@dataclass(frozen=True)
class NewLedgerRecord:
    """A ledger record this cycle creates (id only in a Final Run)."""

    payee_key: str
    payment_center_id: int | None
    type: Literal["OverPayment", "UnderPayment"]
    amount: int
    claim_chain_id: str | None
    record_id: int | None
    created_date: dt.date


@dataclass(frozen=True)
class Payment:
    """One payment of the register (ids and numbers only in a Final Run)."""

    payment_id: str | None
    payee_key: str
    payment_center_id: int | None
    amount: int
    method: str
    check_number: str | None
    payment_date: dt.date


@dataclass(frozen=True)
class NewPayee:
    """A payee not in PaymentCenter; a Final Run creates it with `payment_center_id`."""

    payee_key: str
    stats_key: str
    payment_center_id: int | None
    payment_center_type: str
    tax_id: str | None
    npi: str | None
    member_id: str | None
    vendor_name: str | None
    address: Any
    contract_type: str
    payment_method: str


@dataclass(frozen=True)
class Finding:
    """A validation finding: code, severity, count, first 20 sample ids (sorted), message."""

    code: str
    severity: Literal["Critical", "Warning", "Info"]
    count: int
    sample_ids: tuple[str, ...]
    message: str


@dataclass
class Totals(PayeeAmounts):
    """Every amount summed over the cycle's payees; PaymentEventStats `totals` shows the totalled
    ones under their names there (domain.payee_result.TOTALS: Σ net_pay is `paid`)."""

    @property
    def paid(self) -> int:
        return self.net_pay


@dataclass(frozen=True)
class Counts:
    """PaymentEventStats `counts`."""

    claims: int
    by_frequency_code: dict[str, int]
    by_outcome: dict[str, int]
    payees: dict[str, int]


@dataclass
class ReferenceResult:
    """The whole outcome of one cycle, as computed by the reference implementation."""

    payment_event_id: str
    mode: Mode
    status: Status
    claims: list[ClaimResult]
    payees: list[PayeeResult]
    applications: list[LedgerApplication]
    new_records: list[NewLedgerRecord]
    payments: list[Payment]
    new_payees: list[NewPayee]
    findings: list[Finding]
    totals: Totals
    counts: Counts
    sequences_after: dict[str, int] = field(default_factory=dict)
    payment_center_claims: list[Any] = field(default_factory=list, repr=False)

    def claim(self, claim_core_id: str) -> ClaimResult:
        """The result of one claim (KeyError when it is not a cycle claim)."""
        for result in self.claims:
            if result.claim_core_id == claim_core_id:
                return result
        raise KeyError(claim_core_id)

    def payee(self, payee_key: str) -> PayeeResult:
        """The result of one payee, by key (KeyError when it is not a cycle payee)."""
        for result in self.payees:
            if result.payee_key == payee_key:
                return result
        raise KeyError(payee_key)

    def finding(self, code: str) -> Finding | None:
        """The finding of that code, or None when nothing was found."""
        return next((f for f in self.findings if f.code == code), None)

    def finding_counts(self) -> dict[str, int]:
        """Code → count, for compact assertions."""
        return {f.code: f.count for f in self.findings}
