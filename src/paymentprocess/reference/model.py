"""The reference implementation's input model: Appendix A documents as typed, parsed records.

Every record here is what one `<Collection>.json` document says, with money already turned into
integer cents (by `domain.money`), dates into `datetime.date` and missing text into `None`. The
model is deliberately plain — one frozen dataclass per seed collection — so that the processors
that walk it (service lines → claims → chains → payees) read like the SPEC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

AMOUNTS = ("Billed", "Allowed", "Deductible", "Coinsurance", "Copay", "OtherAdjustment")
MEMBER_SHARE = ("Deductible", "Coinsurance", "Copay", "OtherAdjustment")
VALID_FREQUENCY_CODES = ("1", "7", "8")


@dataclass(frozen=True)
class ServiceLine:
    """One service line: its procedure code and its six amounts in cents (missing = 0)."""

    line_number: int
    procedure_code: str | None
    amounts: dict[str, int]


@dataclass(frozen=True)
class Claim:
    """One ClaimFinCore document; `header` amounts are `None` where the document has none."""

    claim_core_id: str
    chain_id: str  # ParentClaimCore_ID, or the claim's own id when missing
    frequency_code: str | None
    payment_event_id: str | None
    status: str
    paid_amount: int
    tax_id: str | None
    npi: str | None
    member_id: str | None
    billing_provider_name: str | None
    billing_provider_address: Any
    contract_type: str | None
    benefit_plan_id: str | None
    received_date: dt.date
    void_claim_core_id: str | None
    process_codes: tuple[str, ...]
    header: dict[str, int | None]
    lines: tuple[ServiceLine, ...]

    def payee_key(self, payee_type: str) -> str | None:
        """`TaxID|NPI` for providers, `MemberID` for members; `None` when a part is missing."""
        if payee_type == "Member":
            return self.member_id
        if self.tax_id is None or self.npi is None:
            return None
        return f"{self.tax_id}|{self.npi}"


@dataclass(frozen=True)
class PaymentCenter:
    """An existing payee (PaymentCenter document)."""

    payment_center_id: int
    payment_center_type: str
    key: str | None
    tax_id: str | None
    npi: str | None
    member_id: str | None
    vendor_name: str | None
    address: Any
    contract_type: str | None
    payment_method: str | None
    # the bank account an EFT pays into (EFT_BANK_INVALID)
    bank_routing_number: str | None = None
    bank_account_number: str | None = None
    bank_account_type: str | None = None


@dataclass(frozen=True)
class LedgerRecord:
    """An OverAndUnderPayment record as loaded: `remaining` is its open amount before this run."""

    record_id: int
    payment_center_id: int
    payment_event_id: str | None
    type: str  # OverPayment | UnderPayment
    total: int
    remaining: int
    created_date: dt.date | None
    claim_chain_id: str | None

    @property
    def order_key(self) -> tuple[bool, dt.date, int]:
        """Oldest first: (CreatedDate, id), a missing date first."""
        return (self.created_date is not None, self.created_date or dt.date.min, self.record_id)


@dataclass(frozen=True)
class Refund:
    """Money a payee sent back for a claim (Refund document)."""

    refund_id: str
    original_claim_core_id: str | None
    amount: int
    received_date: dt.date | None
    applied: int = 0  # applied already (AppliedAmount, or Status Applied, or Amount − Remaining)

    @property
    def open_amount(self) -> int:
        return self.amount - self.applied


@dataclass(frozen=True)
class InterestRow:
    """One InterestConfig row: rate in parts per million, grace days, effective period."""

    contract_type: str
    rate_ppm: int
    grace_days: int
    effective_from: dt.date
    effective_to: dt.date | None


@dataclass(frozen=True)
class Criteria:
    """InclusionCriteria as three text lists; an empty list means no restriction."""

    benefit_plan_ids: frozenset[str] = frozenset()
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CycleInput:
    """Everything one cycle's computation reads, parsed from the documents."""

    payment_event_id: str
    event_type: str  # Provider | DMR
    payment_due_date: dt.date
    funding_source_id: str
    minimum_payment: int
    custom_interest_days: int | None
    criteria: Criteria
    interest_rows: tuple[InterestRow, ...]
    benefit_plans: frozenset[str]
    service_codes: frozenset[str]
    holding_process_codes: frozenset[str]
    sequences: dict[str, int]
    claims: tuple[Claim, ...]  # the cycle's claims, in document order
    all_claims: tuple[Claim, ...]  # every ClaimFinCore document (history, links, refunds)
    payment_centers: tuple[PaymentCenter, ...]
    ledger: tuple[LedgerRecord, ...]
    refunds: tuple[Refund, ...]
    check_numbers_in_use: tuple[int, ...] = field(default=())
    # the funding source names a Payer with what every 835 needs (REMIT_DATA_MISSING)
    payer_ready: bool = True

    @property
    def payee_type(self) -> str:
        """Payees of a DMR event are members; of a Provider event, providers."""
        return "Member" if self.event_type == "DMR" else "Provider"

    @property
    def check_sequence(self) -> str:
        """The name of this event's check/trace number sequence."""
        return f"CheckNumber:{self.funding_source_id}"
