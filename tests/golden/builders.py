"""Small builders of Appendix A documents for hand-computed golden cases.

Every builder returns the plain dict a `<Collection>.json` file would hold (amounts as strings).
`cycle(...)` returns a complete, minimal document set for event `PE-1` (funding source `FS1`
of payer `PAYER1`, business `B1`, benefit plan `BP1`, service codes `D0120`/`D1110`, sequences at 500 / 50 / 1000)
to which a test adds its claims, payees, ledger records and refunds. An EFT payee gets a valid
bank account unless the test gives its own.
"""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
Documents = dict[str, list[Doc]]


def npi_with_check_digit(first9: str) -> str:
    """A valid NPI: `first9` plus the Luhn check digit over `80840` + `first9`."""
    digits = "80840" + first9
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = int(char)
        if position % 2 == 0:  # doubled, since the check digit will sit at position 0
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return first9 + str((10 - total % 10) % 10)


NPI_A = "1234567893"  # the CMS example NPI
NPI_B = npi_with_check_digit("123456790")
NPI_C = npi_with_check_digit("223456781")
TIN_A, TIN_B, TIN_C = "111111111", "222222222", "333333333"
KEY_A, KEY_B, KEY_C = f"{TIN_A}|{NPI_A}", f"{TIN_B}|{NPI_B}", f"{TIN_C}|{NPI_C}"


def line(
    allowed: str,
    deductible: str = "0",
    coinsurance: str = "0",
    copay: str = "0",
    other: str = "0",
    *,
    code: str = "D0120",
    number: int = 1,
) -> Doc:
    return {
        "LineNumber": number,
        "ProcedureCode": code,
        "Units": 1,
        "ServiceDate": "2025-04-01",
        "BilledAmount": allowed,
        "AllowedAmount": allowed,
        "DeductibleAmount": deductible,
        "CoinsuranceAmount": coinsurance,
        "CopayAmount": copay,
        "OtherAdjustmentAmount": other,
    }


def claim(
    claim_id: str,
    *lines: Doc,
    parent: str | None = None,
    freq: str = "1",
    tax: str | None = TIN_A,
    npi: str | None = NPI_A,
    member: str | None = None,
    received: str = "2025-06-01",
    plan: str | None = "BP1",
    event: str = "PE-1",
    status: str = "Unpaid",
    paid: str | None = None,
    **extra: Any,
) -> Doc:
    doc: Doc = {
        "ClaimCore_ID": claim_id,
        "ParentClaimCore_ID": parent or claim_id,
        "FrequencyCode": freq,
        "PaymentEvent_ID": event,
        "Status": status,
        "TaxID": tax,
        "NPI": npi,
        "MemberID": member,
        "BillingProviderName": f"Provider {tax}",
        "BillingProviderAddress": "1 Main St, Springfield, IL 62704",
        "BenefitPlan_ID": plan,
        "ReceivedDate": received,
        "ServiceBeginDate": "2025-04-01",
        "ServiceEndDate": "2025-04-01",
        "ServiceLines": list(lines),
    }
    if paid is not None:
        doc.update(PaidAmount=paid, PaidPaymentEvent_ID=event)
    doc.update(extra)
    return doc


def paid_claim(claim_id: str, amount: str, **kw: Any) -> Doc:
    """History: a claim a prior Final Run (event PE-0) paid `amount` on."""
    kw.setdefault("received", "2025-01-10")
    return claim(claim_id, line(amount), event="PE-0", status="Paid", paid=amount, **kw)


def payee(pc_id: int, tax: str = TIN_A, npi: str = NPI_A, **extra: Any) -> Doc:
    doc: Doc = {
        "PaymentCenter_ID": pc_id,
        "PaymentCenterType": "Provider",
        "TaxID": tax,
        "NPI": npi,
        "VendorName": f"Vendor {pc_id}",
        "Address": {
            "Line1": f"{pc_id} Oak Ave",
            "City": "Springfield",
            "State": "IL",
            "Zip": "62704",
        },
        "ContractType": "Contract",
        "PaymentMethod": "CHECK",
    }
    doc.update(extra)
    return with_bank_account(doc)


# What an EFT payee is paid into by default (a routing number passing the ABA check).
BANK_ACCOUNT: Doc = {
    "BankRoutingNumber": "021000021",
    "BankAccountNumber": "000555000111",
    "BankAccountType": "C",
}


def with_bank_account(doc: Doc) -> Doc:
    """An EFT payee gets BANK_ACCOUNT's fields it was not given (EFT_BANK_INVALID otherwise)."""
    if str(doc.get("PaymentMethod", "")).upper() == "EFT":
        for name, value in BANK_ACCOUNT.items():
            doc.setdefault(name, value)
    return doc


# The funding source FS1's payer, with everything an 835 needs (REMIT_DATA_MISSING otherwise).
PAYER: Doc = {
    "Payer_ID": "PAYER1",
    "LegalName": "Plan",
    "TIN": "999999999",
    "Address": {"Line1": "1 Plan Way", "City": "Springfield", "State": "IL", "Zip": "62701"},
    "EdiContactPhone": "8005550100",
}


def member(pc_id: int, member_id: str, **extra: Any) -> Doc:
    doc: Doc = {"PaymentCenter_ID": pc_id, "PaymentCenterType": "Member", "MemberID": member_id}
    doc.update(extra)
    return with_bank_account(doc)


def record(
    record_id: int, pc_id: int, kind: str, remaining: str, created: str, **extra: Any
) -> Doc:
    doc: Doc = {
        "OverAndUnderPayment_ID": record_id,
        "PaymentCenter_ID": pc_id,
        "PaymentEvent_ID": "PE-0",
        "Type": kind,
        "TotalAmount": remaining,
        "RemainingAmount": remaining,
        "CreatedDate": created,
    }
    doc.update(extra)
    return doc


def refund(refund_id: str, claim_id: str, amount: str, received: str = "2025-06-20") -> Doc:
    return {
        "Refund_ID": refund_id,
        "OriginalClaimCore_ID": claim_id,
        "Amount": amount,
        "ReceivedDate": received,
    }


def interest(contract: str, rate: str, grace: int, start: str, end: str | None = None) -> Doc:
    return {
        "ContractType": contract,
        "AnnualRate": rate,
        "GraceDays": grace,
        "EffectiveFrom": start,
        "EffectiveTo": end,
    }


def cycle(
    *,
    event_type: str = "Provider",
    due: str = "2025-07-15",
    minimum: str = "0.00",
    custom_days: int | None = None,
    criteria: Doc | None = None,
) -> Documents:
    """A minimal document set for event PE-1; tests append what they need."""
    return {
        "PaymentEvent": [
            {
                "PaymentEvent_ID": "PE-1",
                "Business_ID": "B1",
                "InclusionCriteria_ID": "IC1" if criteria is not None else None,
                "FundingSource_ID": "FS1",
                "PaymentDueDate": due,
                "PaymentEventType": event_type,
                "Stage": "New",
            }
        ],
        "Business": [{"Business_ID": "B1", "Name": "Plan", "CustomInterestDays": custom_days}],
        "FundingSource": [
            {
                "FundingSource_ID": "FS1",
                "Name": "Main",
                "MinimumPayment": minimum,
                "Payer_ID": "PAYER1",
            }
        ],
        "Payer": [dict(PAYER)],
        "InclusionCriteria": []
        if criteria is None
        else [{"InclusionCriteria_ID": "IC1", **criteria}],
        "InterestConfig": [],
        "BenefitPlan": [{"BenefitPlan_ID": "BP1"}, {"BenefitPlan_ID": "BP2"}],
        "ServiceCode": [{"ServiceCode": "D0120"}, {"ServiceCode": "D1110"}],
        "ProcessCodeEx": [],
        "PaymentCenter": [],
        "ClaimFinCore": [],
        "OverAndUnderPayment": [],
        "Refund": [],
        "SequenceNumbers": [
            {"Name": "PaymentCenter", "Value": 500},
            {"Name": "OverAndUnderPayment", "Value": 50},
            {"Name": "CheckNumber:FS1", "Value": 1000},
        ],
    }
