"""The model of ONE provider remittance, exactly as the X12 835 needs it (OUTPUTS.md §2–§3).

This is the interface between data gathering (database rows → this model) and the renderer
(`x12_835.render_835`). Every value the 835 prints is here and nothing else is read: no database,
no wall clock, no settings lookups besides `X12Settings`. All money is integer cents, never float.

Sign conventions:
- amounts of a `ClaimItem` are always those of the claim *as originally adjudicated*, positive as
  stored; for `kind="reversal"` the renderer negates them (same group/reason codes, RFI 1147);
- `PlbEntry.amount_cents` is signed as in X12 PLB04: positive decreases the payment (offsets,
  forward balances brought in, holds), negative increases it (interest `L6`, releases, refunds
  acknowledged, balances forwarded).

The caller builds items in O-7 order (claims by (ReceivedDate, ClaimCore_ID), each reversal right
before its correction, lines by line_number); PLB entries may come in any order, the renderer sorts
them by the §3.5 rows then reference (`plb.ordered`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

PaymentMethod = Literal["ACH", "CHK", "NON"]
ItemKind = Literal["claim", "reversal"]
AccountType = Literal["C", "S"]
UsageIndicator = Literal["P", "T"]


class RemitModelError(ValueError):
    """The model cannot describe a valid 835; the message names the remittance and the field."""


def _cents(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RemitModelError(f"{what} must be integer cents, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (N3/N4). `line2` is optional; `zip` is 5 or 9 digits."""

    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    """The payer (1000A, envelope sender, TRN03/BPR10). From the `payer` table (OUTPUTS.md §1)."""

    legal_name: str
    tin: str  # 9 digits; TRN03 = BPR10 = "1" + tin
    address: Address
    edi_contact_name: str
    edi_contact_phone: str
    isa_sender_qualifier: str  # ISA05, e.g. "ZZ" or "30"
    isa_sender_id: str  # ISA06, ≤ 15
    gs_sender_code: str  # GS02
    usage_indicator: UsageIndicator = "P"  # ISA15
    payer_identifier: str | None = None  # REF*2U when set
    edi_contact_email: str | None = None  # PER*BL ...*EM
    edi_contact_url: str | None = None  # PER*BL ...*UR

    def __post_init__(self) -> None:
        if not (len(self.tin) == 9 and self.tin.isdigit()):
            raise RemitModelError("payer.tin must be 9 digits")
        if self.usage_indicator not in ("P", "T"):
            raise RemitModelError("payer.usage_indicator must be P or T")


@dataclass(frozen=True, slots=True)
class FundingBank:
    """The funding-source account the money leaves from (BPR06–09 on EFT; TRN04)."""

    funding_source_id: str
    routing: str  # 9 digits, ABA check digit
    account: str
    trn04_code: str | None = None  # TRN04 (= BPR11 on EFT) when one payer TIN has several sources


@dataclass(frozen=True, slots=True)
class Payee:
    """The provider payee (1000B, PLB01, BPR12–15 on EFT). From `payment_center`."""

    payment_center_id: str
    vendor_name: str
    npi: str  # N104 (XX) and PLB01
    tin: str  # REF*TJ
    address: Address | None = None  # N3/N4 only when present
    bank_routing: str | None = None  # EFT only
    bank_account: str | None = None  # EFT only
    bank_account_type: AccountType | None = None  # C → BPR14 DA, S → SG


@dataclass(frozen=True, slots=True)
class Payment:
    """The payment this remittance supports: one 835 ↔ one payment ↔ one TRN (RFI 2202)."""

    method: PaymentMethod  # ACH → BPR*I..ACH, CHK → BPR*I..CHK, NON → BPR*H*0..NON
    amount_cents: int  # BPR02 = net_pay, never negative; 0 exactly when method = NON
    payment_date: date  # BPR16 = payment_register.payment_date (ACH effective / check issue)
    trn02: str  # check number, EFT reference (our check_number text) or "NP"+ISA13 for NON
    production_date: date | None = None  # Final Run date: DTM*405 when it differs from ISA09

    def __post_init__(self) -> None:
        _cents(self.amount_cents, "payment.amount_cents")
        if self.method not in ("ACH", "CHK", "NON"):
            raise RemitModelError("payment.method must be ACH, CHK or NON")


@dataclass(frozen=True, slots=True)
class Envelope:
    """Control values that are not a function of the data, allocated once and stored (O-4)."""

    isa13: int  # interchange control number, unique per sender forever; GS06 = same number
    created_at: datetime  # UTC, truncated to the minute: ISA09/10, GS04/05
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, ≤ 15
    gs_receiver_code: str | None = None  # GS03; defaults to receiver_id

    def __post_init__(self) -> None:
        if self.created_at.second or self.created_at.microsecond:
            raise RemitModelError("envelope.created_at must be truncated to the minute")


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One paid service line (2110). Amounts as stored on `service_line` (positive, cents).

    The engine's identity: payable = max(0, allowed − deductible − coinsurance − copay − other).
    """

    procedure_code: str  # CDT "D…" → SVC01-1 AD, else HC
    billed: int
    allowed: int
    payable: int
    deductible: int = 0
    coinsurance: int = 0
    copay: int = 0
    other_adjustment: int = 0
    modifiers: tuple[str, ...] = ()
    units: int = 1
    service_date: date | None = None  # DTM*472 (falls back to the claim's service_date)
    line_item_control_number: str | None = None  # REF*6R when stored

    def __post_init__(self) -> None:
        for name in (
            "billed",
            "allowed",
            "payable",
            "deductible",
            "coinsurance",
            "copay",
            "other_adjustment",
        ):
            _cents(getattr(self, name), f"line.{name}")
        if self.payable < 0:
            raise RemitModelError("line.payable must not be negative")
        if len(self.modifiers) > 4:
            raise RemitModelError("line.modifiers holds at most 4 codes")


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """One CLP loop: a `claim` item (CLP02 = 1) or the `reversal` (CLP02 = 22) of claim E.

    For a reversal, give E exactly as its own claim item was (same lines, positive amounts);
    the renderer negates every amount. `effective_before`, when given on a reversal and different
    from E's Σ line payable (imported history), switches to the claim-level-only reversal of §3.3.

    The header amounts (`billed` … `payable`) are used only when `lines` is empty (a paid claim
    without lines: claim-level CAS, `CO*16` for any remainder); with lines CLP03/CLP04 are the
    sums of the lines.
    """

    kind: ItemKind
    claim_id: str  # CLP07 = ClaimCore_ID (payer claim control number)
    patient_control_number: str  # CLP01 (caller applies PCN → claim_reference → ClaimCore_ID)
    frequency_code: str  # CLP09: 1, 7 or 8
    filing_indicator: str  # CLP06, e.g. "12" (benefit_plan.claim_filing_indicator)
    member_id: str  # NM1*QC NM109 (MI)
    received_date: date  # DTM*050 on items with interest
    lines: tuple[ServiceLine, ...] = ()
    patient_last_name: str | None = None
    patient_first_name: str | None = None
    interest_cents: int = 0  # claim_result.interest → AMT*I (claim items only)
    service_date: date | None = None  # fallback for DTM*472 of lines without a date
    billed: int = 0
    allowed: int = 0
    deductible: int = 0
    coinsurance: int = 0
    copay: int = 0
    other_adjustment: int = 0
    payable: int = 0
    effective_before: int | None = None  # reversals only: what E effectively paid

    def __post_init__(self) -> None:
        if self.kind not in ("claim", "reversal"):
            raise RemitModelError(f"claim {self.claim_id}: kind must be claim or reversal")
        if not self.filing_indicator.strip():
            raise RemitModelError(
                f"claim {self.claim_id}: no claim filing indicator (CLP06, required): set "
                "BenefitPlan.ClaimFilingIndicator"
            )
        for name in (
            "interest_cents",
            "billed",
            "allowed",
            "deductible",
            "coinsurance",
            "copay",
            "other_adjustment",
            "payable",
        ):
            _cents(getattr(self, name), f"claim {self.claim_id}: {name}")
        if self.effective_before is not None:
            _cents(self.effective_before, f"claim {self.claim_id}: effective_before")
            if self.kind != "reversal":
                raise RemitModelError(
                    f"claim {self.claim_id}: effective_before is for reversals only"
                )
        if self.interest_cents < 0:
            raise RemitModelError(f"claim {self.claim_id}: interest_cents must not be negative")
        if self.kind == "reversal" and self.interest_cents:
            raise RemitModelError(
                f"claim {self.claim_id}: a reversal never carries interest (AMT*I)"
            )


@dataclass(frozen=True, slots=True)
class PlbEntry:
    """One provider-level adjustment (PLB03/04 pair), amount signed as in X12 (see module doc)."""

    code: str  # L6, E3, 72, FB, WO, ... (PLB03-1)
    amount_cents: int  # PLB04; never 0
    reference: str | None = None  # PLB03-2; none for L6

    def __post_init__(self) -> None:
        _cents(self.amount_cents, f"PLB {self.code}: amount_cents")


@dataclass(frozen=True, slots=True)
class Remittance:
    """One provider remittance = one 835 interchange."""

    remit_id: str  # "<PaymentEvent_ID>:<PaymentCenter_ID>" (O-3); used in error messages
    payer: Payer
    funding: FundingBank
    payee: Payee
    payment: Payment
    envelope: Envelope
    items: tuple[ClaimItem, ...] = ()
    plb: tuple[PlbEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class X12Settings:
    """Rules OUTPUTS.md marks unverified, as settings with their documented defaults.

    - `other_adjustment_cas`: "GROUP:CARC" for `other_adjustment_amount` (e.g. "OA:23"). No
      default: rendering a line with a non-zero other adjustment without it is refused.
    - `svc05_only_when_not_one`: SVC05 (units) only when units ≠ 1 (default-one reading).
    - `emit_dtm405`: DTM*405 (production date) when the Final Run date differs from ISA09.
    - `emit_dtm050_with_interest`: DTM*050 (received date) on claim items with interest.
    - `emit_amt_b6`: AMT*B6 (allowed) on every line.
    - `emit_ref_tj`: REF*TJ (payee TIN) in 1000B.
    - `segment_newline`: "\\n" after each `~` (readable, accepted by pyx12/oxedi); "" for one line.
    - `extra_carcs`: reason codes accepted by the V-12 check besides those we emit ourselves.
    """

    other_adjustment_cas: str | None = None
    svc05_only_when_not_one: bool = True
    emit_dtm405: bool = True
    emit_dtm050_with_interest: bool = True
    emit_amt_b6: bool = True
    emit_ref_tj: bool = True
    segment_newline: str = "\n"
    extra_carcs: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.other_adjustment_cas is not None:
            group, _, reason = self.other_adjustment_cas.partition(":")
            if group not in ("CO", "PR", "OA", "PI") or not reason.isalnum() or len(reason) > 5:
                raise RemitModelError(
                    "other_adjustment_cas must be GROUP:CARC with GROUP in CO, PR, OA, PI"
                )
        if self.segment_newline not in ("", "\n", "\r\n"):
            raise RemitModelError("segment_newline must be '', '\\n' or '\\r\\n'")

    @property
    def other_group_reason(self) -> tuple[str, str] | None:
        if self.other_adjustment_cas is None:
            return None
        group, _, reason = self.other_adjustment_cas.partition(":")
        return group, reason
