"""Hand-built remittances and the three validators (pyx12 API, oxedi, ours) for 835 tests."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from paymentprocess.bench.validators import oxedi_problems, pyx12_errors
from paymentprocess.outputs import x12_check
from paymentprocess.outputs.remit_model import (
    Address,
    ClaimItem,
    Envelope,
    FundingBank,
    Payee,
    Payer,
    Payment,
    PlbEntry,
    Remittance,
    ServiceLine,
    X12Settings,
)
from paymentprocess.outputs.x12_835 import render_835

SETTINGS = X12Settings(other_adjustment_cas="OA:23")

PAYER = Payer(
    legal_name="ACME DENTAL PLAN",
    tin="987654321",
    address=Address("1 PLAN WAY", "DALLAS", "TX", "75201"),
    edi_contact_name="EDI DESK",
    edi_contact_phone="2145550100",
    isa_sender_qualifier="ZZ",
    isa_sender_id="ACMEPLAN",
    gs_sender_code="ACMEPLAN",
    usage_indicator="T",
    payer_identifier="ACME01",
    edi_contact_email="edi@acme.example",
)
FUNDING = FundingBank("FS1", "011000015", "123456789")
PAYEE = Payee(
    payment_center_id="PC1",
    vendor_name="SMILE DENTAL GROUP",
    npi="1234567893",
    tin="111223333",
    address=Address("9 MAIN ST", "AUSTIN", "TX", "78701"),
    bank_routing="021000021",
    bank_account="55554444",
    bank_account_type="C",
)
ENVELOPE = Envelope(
    isa13=42,
    created_at=datetime(2026, 1, 14, 9, 30),
    receiver_qualifier="ZZ",
    receiver_id="CLEARHOUSE",
)


def claim_a() -> ClaimItem:
    return ClaimItem(
        kind="claim",
        claim_id="CA-1",
        patient_control_number="PCN-A",
        frequency_code="1",
        filing_indicator="12",
        member_id="M123",
        patient_last_name="DOE",
        patient_first_name="JANE",
        received_date=date(2025, 10, 22),
        interest_cents=123,
        lines=(
            ServiceLine(
                "D1110",
                12000,
                10000,
                7200,
                deductible=1000,
                coinsurance=1800,
                service_date=date(2025, 10, 20),
            ),
        ),
    )


def chain_b(kind: str, cid: str, pcn: str, freq: str, allowed: int, payable: int) -> ClaimItem:
    return ClaimItem(
        kind=kind,  # type: ignore[arg-type]
        claim_id=cid,
        patient_control_number=pcn,
        frequency_code=freq,
        filing_indicator="12",
        member_id="M456",
        patient_last_name="ROE",
        patient_first_name="RICHARD",
        received_date=date(2025, 11, 2),
        lines=(
            ServiceLine(
                "D2140",
                8000,
                allowed,
                payable,
                coinsurance=allowed - payable,
                service_date=date(2025, 10, 30),
                line_item_control_number=f"{cid}-L1",
            ),
        ),
    )


def worked_example() -> Remittance:
    """OUTPUTS.md §3.8: A original with interest, chain B replaced 50 → 60, FB 30 offset."""
    return Remittance(
        remit_id="EV1:PC1",
        payer=PAYER,
        funding=FUNDING,
        payee=PAYEE,
        payment=Payment("ACH", 5323, date(2026, 1, 15), "1001"),
        envelope=ENVELOPE,
        items=(
            claim_a(),
            chain_b("reversal", "CB-0", "PCN-B0", "1", 6000, 5000),
            chain_b("claim", "CB-1", "PCN-B1", "7", 7000, 6000),
        ),
        plb=(PlbEntry("FB", 3000, "1000"), PlbEntry("L6", -123)),
    )


def replace(remit: Remittance, **changes: object) -> Remittance:
    return dataclasses.replace(remit, **changes)  # type: ignore[arg-type]


def all_validators(data: bytes, settings: X12Settings = SETTINGS) -> dict[str, list[str]]:
    return {
        "ours": [str(p) for p in x12_check.validate(data, settings)],
        "pyx12": pyx12_errors(data),
        "oxedi": oxedi_problems(data),
    }


def render(remit: Remittance, settings: X12Settings = SETTINGS) -> bytes:
    return render_835(remit, settings)
