"""Load then export gives back every collection field for field, on SQLite and PostgreSQL.

The fixture directory covers every collection and every field of SPEC Appendix A in the encodings
`mongoexport` writes (Extended JSON `$date`, `$numberDecimal`, `$numberLong`, `$numberInt`, `$oid`),
arrays, JSON Lines and pretty concatenated objects, unknown fields at every level, capitalisation
variants and the legacy `RemaingAmount`. A simulated Final Run (a paid claim result, a ledger
application, a payment, a stats document) shows in the export as runs would leave it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from paymentprocess.errors import SettingsError
from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.tables import (
    claim_result,
    metadata,
    over_and_under_payment_application,
    payment_event_stats,
    payment_register,
)

FILES = {
    "PaymentEvent.json": """[
  {"PaymentEvent_ID": "PE-2024-01", "Business_ID": "B1", "InclusionCriteria_ID": "IC1",
   "FundingSource_ID": "FS1", "PaymentDueDate": {"$date": "2024-03-15T00:00:00Z"},
   "PaymentEventType": "Provider", "Stage": "New"},
  {"paymentevent_id": "PE-2024-02", "BUSINESS_ID": "B1", "InclusionCriteria_ID": null,
   "FundingSource_ID": "FS1", "PaymentDueDate": "2024-04-15", "PaymentEventType": "dmr",
   "Stage": "dryrun", "Owner": "ops-team"}
]""",
    "Business.json": (
        '{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "Business_ID": "B1", "Name": "Acme Health",'
        ' "CustomInterestDays": {"$numberInt": "30"}}\n'
        '{"Business_ID": "B2", "Name": "Plain Plan", "CustomInterestDays": null}\n'
    ),
    "InterestConfig.json": """[
 {"ContractType": "CMS", "AnnualRate": 0.04125, "GraceDays": 30, "EffectiveFrom": "2024-01-01",
  "EffectiveTo": "2024-06-30"},
 {"ContractType": "contract", "AnnualRate": {"$numberDecimal": "0.05"},
  "GraceDays": {"$numberLong": "45"}, "EffectiveFrom": {"$date": {"$numberLong": "1704067200000"}},
  "EffectiveTo": null}
]""",
    "FundingSource.json": (
        '{"FundingSource_ID": "FS1", "Name": "Main account", "MinimumPayment": "5.00",'
        ' "BankRoutingNumber": "021000021", "BankAccountNumber": "000123456789",'
        ' "Payer_ID": "PAYER1", "AchCompanyId": "1362514789", "AchCompanyName": "ACME HEALTH",'
        ' "AchImmediateDestination": "021000021", "AchImmediateDestinationName": "JPMORGAN CHASE",'
        ' "AchImmediateOrigin": "1362514789", "AchImmediateOriginName": "ACME HEALTH PLAN",'
        ' "Trn04Code": "CLAIMS", "PositivePayProfile": "generic-csv-v1"}\n'
    ),
    "Payer.json": json.dumps(
        [
            {
                "Payer_ID": "PAYER1",
                "LegalName": "Acme Health Plan",
                "TIN": "36-2514789",
                "PayerIdentifier": "ACME01",
                "Address": {
                    "Line1": "1 Plan Way",
                    "City": "Chicago",
                    "State": "IL",
                    "Zip": "60601",
                },
                "EdiContactName": "EDI Support",
                "EdiContactPhone": "8005551212",
                "EdiContactEmail": "edi@acme.example",
                "EdiContactUrl": "https://acme.example/edi",
                "IsaSenderQualifier": "ZZ",
                "IsaSenderId": "ACMEHEALTH",
                "GsSenderCode": "ACMEHEALTH",
                "UsageIndicator": "t",
            }
        ]
    ),
    "InclusionCriteria.json": (
        '[{"InclusionCriteria_ID": "IC1", "BenefitPlan_IDs": ["BP1", "BP2"],'
        ' "IncludePaymentCenters": [], "ExcludePaymentCenters": [9, "999999999|1234567893"]}]'
    ),
    "BenefitPlan.json": (
        '{"BenefitPlan_ID": "BP1", "Name": "Gold", "ClaimFilingIndicator": "12"}\n'
        '{"BenefitPlan_ID": "BP2", "Name": "Silver", "Tier": {"level": 2, "factor": 1.5,'
        ' "cap": 0.123456789012345678901}}\n'
    ),
    "PaymentCenter.json": """{
  "PaymentCenter_ID": 7,
  "PaymentCenterType": "Provider",
  "TaxID": "123456789",
  "NPI": 1234567893,
  "MemberID": null,
  "VendorName": "Smile Dental",
  "Address": {"Line1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701",
              "Line2": "Suite 5"},
  "ContractType": "CMS",
  "PaymentMethod": "eft",
  "BankRoutingNumber": "021000021",
  "BankAccountNumber": "1111",
  "BankAccountType": "s",
  "EraReceiverQualifier": "ZZ",
  "EraReceiverId": "SMILEDENTAL"
}
{
  "PaymentCenter_ID": {"$numberLong": "8"},
  "PaymentCenterType": "Member",
  "MemberID": "M-100",
  "VendorName": "Pat Doe",
  "Address": null,
  "PaymentMethod": "CHECK",
  "NameFirst": "Pat",
  "NameLast": "Doe"
}
""",
    "ClaimFinCore.json": "\n".join(
        json.dumps(doc)
        for doc in [
            {
                "_id": {"$oid": "65a1b2c3d4e5f60718293a4c"},
                "ClaimCore_ID": "C1",
                "ParentClaimCore_ID": "C1",
                "FrequencyCode": 1,
                "PaymentEvent_ID": "PE-2023-12",
                "Status": "Paid",
                "PaidAmount": {"$numberDecimal": "80.00"},
                "PaidPaymentEvent_ID": "PE-2023-12",
                "TaxID": "123456789",
                "NPI": "1234567893",
                "MemberID": "M-100",
                "BillingProviderName": "Smile Dental",
                "BillingProviderAddress": "1 Main St, Springfield IL",
                "ContractType": "CMS",
                "BenefitPlan_ID": "BP1",
                "ReceivedDate": {"$date": "2023-11-02T00:00:00.000Z"},
                "ServiceBeginDate": "2023-10-30",
                "ServiceEndDate": "2023-10-31",
                "VoidClaimCore_ID": None,
                "OriginalClaimCore_ID": None,
                "ProcessCodes": ["PX2"],
                "BilledAmount": "150.00",
                "AllowedAmount": {"$numberDecimal": "100"},
                "DeductibleAmount": "10.00",
                "CoinsuranceAmount": "5.5",
                "CopayAmount": "4.50",
                "OtherAdjustmentAmount": "0",
                "SourceSystem": "legacy-mongo",
                "PatientControlNumber": "PCN-C1",
                "PatientFirstName": "Pat",
                "PatientLastName": "Doe",
                "ServiceLines": [
                    {
                        "LineNumber": 2,
                        "LineItemControlNumber": "C1-2",
                        "Modifiers": ["tc", "59"],
                        "ProcedureCode": "D1110",
                        "Units": 1,
                        "ServiceDate": "2023-10-31",
                        "BilledAmount": "50.00",
                        "AllowedAmount": "40.00",
                        "DeductibleAmount": "0",
                        "CoinsuranceAmount": "0",
                        "CopayAmount": "0",
                        "OtherAdjustmentAmount": "0",
                    },
                    {
                        "linenumber": {"$numberInt": "1"},
                        "ProcedureCode": "D0120",
                        "Units": {"$numberLong": "2"},
                        "ServiceDate": {"$date": "2023-10-30T00:00:00Z"},
                        "BilledAmount": {"$numberDecimal": "100.00"},
                        "AllowedAmount": "60.00",
                        "DeductibleAmount": "10.00",
                        "CoinsuranceAmount": "5.50",
                        "CopayAmount": "4.50",
                        "OtherAdjustmentAmount": "0.00",
                        "Tooth": "14",
                    },
                ],
            },
            {
                "ClaimCore_ID": "C2",
                "ParentClaimCore_ID": "C1",
                "FrequencyCode": "8",
                "PaymentEvent_ID": "PE-2024-01",
                "TaxID": "123456789",
                "NPI": "1234567893",
                "BenefitPlan_ID": "BP1",
                "ReceivedDate": "2024-01-05",
                "ServiceLines": [],
            },
        ]
    )
    + "\n"
    + json.dumps(
        {  # loadable although the runs flag it: code 9, bad NPI, unknown plan, negative amount
            "ClaimCore_ID": "C3",
            "ParentClaimCore_ID": "C3",
            "FrequencyCode": "9",
            "PaymentEvent_ID": "PE-2024-01",
            "TaxID": "123456789",
            "NPI": "1234567890",
            "BenefitPlan_ID": "BP-UNKNOWN",
            "ReceivedDate": "2024-01-10",
            "ServiceLines": [{"LineNumber": 1, "AllowedAmount": "120", "CopayAmount": "-5.00"}],
        }
    )
    + "\n",
    "OverAndUnderPayment.json": """[
 {"OverAndUnderPayment_ID": 1, "PaymentCenter_ID": 7, "PaymentEvent_ID": "PE-2023-12",
  "Type": "OverPayment", "TotalAmount": "50.00", "RemaingAmount": "30.00",
  "AppliedThisCycle": 445.46, "CreatedDate": "2023-12-15"},
 {"OverAndUnderPayment_ID": {"$numberLong": "2"}, "PaymentCenter_ID": 8,
  "PaymentEvent_ID": "PE-2023-12", "Type": "underpayment",
  "TotalAmount": {"$numberDecimal": "3.50"}, "CreatedDate": {"$date": "2023-12-15T00:00:00Z"}}
]""",
    "Refund.json": (
        '{"Refund_ID": "R1", "OriginalClaimCore_ID": "C1", "Amount": "10.00",'
        ' "ReceivedDate": "2024-02-01"}\n'
    ),
    "SequenceNumbers.json": (
        '[{"Name": "PaymentCenter", "Value": 8},'
        ' {"Name": "CheckNumber:FS1", "Value": {"$numberLong": "100000"}}]'
    ),
    "ServiceCode.json": '[{"ServiceCode": "D0120", "Description": "Periodic oral evaluation"}]',
    "ProcessCodeEx.json": (
        '{"ProcessCode": "PX1", "HoldsPayment": true, "Description": "Pending review"}\n'
        '{"ProcessCode": "PX2", "HoldsPayment": false, "Description": null}\n'
    ),
}

ZERO = "0.00"


def _line(
    number: int, code: str | None, units: int | None, day: str | None, **amounts: str
) -> dict[str, Any]:
    names = ("Billed", "Allowed", "Deductible", "Coinsurance", "Copay", "OtherAdjustment")
    line: dict[str, Any] = {
        "LineNumber": number,
        "ProcedureCode": code,
        "Units": units,
        "ServiceDate": day,
    }
    line.update({f"{n}Amount": amounts.get(n, ZERO) for n in names})
    return line


def _claim(claim_id: str, **values: Any) -> dict[str, Any]:
    names = [
        "ClaimCore_ID",
        "ParentClaimCore_ID",
        "FrequencyCode",
        "PaymentEvent_ID",
        "Status",
        "PaidAmount",
        "PaidPaymentEvent_ID",
        "TaxID",
        "NPI",
        "MemberID",
        "BillingProviderName",
        "BillingProviderAddress",
        "ContractType",
        "BenefitPlan_ID",
        "ReceivedDate",
        "ServiceBeginDate",
        "ServiceEndDate",
        "VoidClaimCore_ID",
        "OriginalClaimCore_ID",
        "ProcessCodes",
        "BilledAmount",
        "AllowedAmount",
        "DeductibleAmount",
        "CoinsuranceAmount",
        "CopayAmount",
        "OtherAdjustmentAmount",
        "ServiceLines",
    ]
    claim: dict[str, Any] = dict.fromkeys(names)
    claim.update({"ClaimCore_ID": claim_id, "Status": "Unpaid", **values})
    return claim


EXPECTED: dict[str, list[dict[str, Any]]] = {
    "PaymentEvent": [
        {
            "PaymentEvent_ID": "PE-2024-01",
            "Business_ID": "B1",
            "InclusionCriteria_ID": "IC1",
            "FundingSource_ID": "FS1",
            "PaymentDueDate": "2024-03-15",
            "PaymentEventType": "Provider",
            "Stage": "New",
        },
        {
            "PaymentEvent_ID": "PE-2024-02",
            "Business_ID": "B1",
            "InclusionCriteria_ID": None,
            "FundingSource_ID": "FS1",
            "PaymentDueDate": "2024-04-15",
            "PaymentEventType": "DMR",
            "Stage": "DryRun",
            "Owner": "ops-team",
        },
    ],
    "Business": [
        {
            "Business_ID": "B1",
            "Name": "Acme Health",
            "CustomInterestDays": 30,
            "_id": {"$oid": "65a1b2c3d4e5f60718293a4b"},
        },
        {"Business_ID": "B2", "Name": "Plain Plan", "CustomInterestDays": None},
    ],
    "InterestConfig": [
        {
            "ContractType": "CMS",
            "AnnualRate": "0.04125",
            "GraceDays": 30,
            "EffectiveFrom": "2024-01-01",
            "EffectiveTo": "2024-06-30",
        },
        {
            "ContractType": "Contract",
            "AnnualRate": "0.05",
            "GraceDays": 45,
            "EffectiveFrom": "2024-01-01",
            "EffectiveTo": None,
        },
    ],
    "FundingSource": [
        {
            "FundingSource_ID": "FS1",
            "Name": "Main account",
            "MinimumPayment": "5.00",
            "BankRoutingNumber": "021000021",
            "BankAccountNumber": "000123456789",
            "Payer_ID": "PAYER1",
            "AchCompanyId": "1362514789",
            "AchCompanyName": "ACME HEALTH",
            "AchImmediateDestination": "021000021",
            "AchImmediateDestinationName": "JPMORGAN CHASE",
            "AchImmediateOrigin": "1362514789",
            "AchImmediateOriginName": "ACME HEALTH PLAN",
            "Trn04Code": "CLAIMS",
            "PositivePayProfile": "generic-csv-v1",
        },
    ],
    "Payer": [
        {
            "Payer_ID": "PAYER1",
            "LegalName": "Acme Health Plan",
            "TIN": "362514789",
            "PayerIdentifier": "ACME01",
            "Address": {
                "Line1": "1 Plan Way",
                "Line2": None,
                "City": "Chicago",
                "State": "IL",
                "Zip": "60601",
            },
            "EdiContactName": "EDI Support",
            "EdiContactPhone": "8005551212",
            "EdiContactEmail": "edi@acme.example",
            "EdiContactUrl": "https://acme.example/edi",
            "IsaSenderQualifier": "ZZ",
            "IsaSenderId": "ACMEHEALTH",
            "GsSenderCode": "ACMEHEALTH",
            "UsageIndicator": "T",
        },
    ],
    "InclusionCriteria": [
        {
            "InclusionCriteria_ID": "IC1",
            "BenefitPlan_IDs": ["BP1", "BP2"],
            "IncludePaymentCenters": [],
            "ExcludePaymentCenters": [9, "999999999|1234567893"],
        },
    ],
    "BenefitPlan": [
        {"BenefitPlan_ID": "BP1", "Name": "Gold", "ClaimFilingIndicator": "12"},
        {
            "BenefitPlan_ID": "BP2",
            "Name": "Silver",
            "Tier": {
                "level": 2,
                "factor": 1.5,
                "cap": Decimal("0.123456789012345678901"),  # relaxed in, relaxed out, exact
            },
        },
    ],
    "PaymentCenter": [
        {
            "PaymentCenter_ID": 7,
            "PaymentCenterType": "Provider",
            "TaxID": "123456789",
            "NPI": "1234567893",
            "MemberID": None,
            "VendorName": "Smile Dental",
            "Address": {
                "Line1": "1 Main St",
                "City": "Springfield",
                "State": "IL",
                "Zip": "62701",
                "Line2": "Suite 5",
            },
            "ContractType": "CMS",
            "PaymentMethod": "EFT",
            "BankRoutingNumber": "021000021",
            "BankAccountNumber": "1111",
            "BankAccountType": "S",
            "EraReceiverQualifier": "ZZ",
            "EraReceiverId": "SMILEDENTAL",
        },
        {
            "PaymentCenter_ID": 8,
            "PaymentCenterType": "Member",
            "TaxID": None,
            "NPI": None,
            "MemberID": "M-100",
            "VendorName": "Pat Doe",
            "Address": None,
            "ContractType": None,
            "PaymentMethod": "CHECK",
            "BankRoutingNumber": None,
            "BankAccountNumber": None,
            "NameFirst": "Pat",
            "NameLast": "Doe",
        },
    ],
    "ClaimFinCore": [
        _claim(
            "C1",
            ParentClaimCore_ID="C1",
            FrequencyCode="1",
            PaymentEvent_ID="PE-2023-12",
            Status="Paid",
            PaidAmount="80.00",
            PaidPaymentEvent_ID="PE-2023-12",
            TaxID="123456789",
            NPI="1234567893",
            MemberID="M-100",
            BillingProviderName="Smile Dental",
            BillingProviderAddress="1 Main St, Springfield IL",
            ContractType="CMS",
            BenefitPlan_ID="BP1",
            ReceivedDate="2023-11-02",
            ServiceBeginDate="2023-10-30",
            ServiceEndDate="2023-10-31",
            ProcessCodes=["PX2"],
            BilledAmount="150.00",
            AllowedAmount="100.00",
            DeductibleAmount="10.00",
            CoinsuranceAmount="5.50",
            CopayAmount="4.50",
            OtherAdjustmentAmount="0.00",
            ServiceLines=[
                {
                    **_line(
                        1,
                        "D0120",
                        2,
                        "2023-10-30",
                        Billed="100.00",
                        Allowed="60.00",
                        Deductible="10.00",
                        Coinsurance="5.50",
                        Copay="4.50",
                    ),
                    "Tooth": "14",
                },
                {
                    **_line(2, "D1110", 1, "2023-10-31", Billed="50.00", Allowed="40.00"),
                    "LineItemControlNumber": "C1-2",
                    "Modifiers": ["TC", "59"],
                },
            ],
            PatientControlNumber="PCN-C1",
            PatientFirstName="Pat",
            PatientLastName="Doe",
            _id={"$oid": "65a1b2c3d4e5f60718293a4c"},
            SourceSystem="legacy-mongo",
        ),
        _claim(
            "C2",
            ParentClaimCore_ID="C1",
            FrequencyCode="8",
            PaymentEvent_ID="PE-2024-01",
            TaxID="123456789",
            NPI="1234567893",
            BenefitPlan_ID="BP1",
            ReceivedDate="2024-01-05",
            ServiceLines=[],
        ),
        _claim(
            "C3",
            ParentClaimCore_ID="C3",
            FrequencyCode="9",
            PaymentEvent_ID="PE-2024-01",
            Status="Paid",
            PaidAmount="115.00",
            PaidPaymentEvent_ID="PE-2024-01",
            TaxID="123456789",
            NPI="1234567890",
            BenefitPlan_ID="BP-UNKNOWN",
            ReceivedDate="2024-01-10",
            ServiceLines=[_line(1, None, None, None, Allowed="120.00", Copay="-5.00")],
        ),
    ],
    "OverAndUnderPayment": [
        {
            "OverAndUnderPayment_ID": 1,
            "PaymentCenter_ID": 7,
            "PaymentEvent_ID": "PE-2023-12",
            "Type": "OverPayment",
            "TotalAmount": "50.00",
            "RemainingAmount": "20.00",
            "AppliedThisCycle": "10.00",  # derived: the stale legacy 445.46 is not kept
            "CreatedDate": "2023-12-15",
            "Applications": [
                {
                    "PaymentEvent_ID": "PE-2024-01",
                    "Kind": "offset",
                    "Amount": "10.00",
                    "Refund_ID": None,
                }
            ],
        },
        {
            "OverAndUnderPayment_ID": 2,
            "PaymentCenter_ID": 8,
            "PaymentEvent_ID": "PE-2023-12",
            "Type": "UnderPayment",
            "TotalAmount": "3.50",
            "RemainingAmount": "3.50",
            "AppliedThisCycle": "0.00",
            "CreatedDate": "2023-12-15",
            "Applications": [],
        },
    ],
    "Refund": [
        {
            "Refund_ID": "R1",
            "OriginalClaimCore_ID": "C1",
            "Amount": "10.00",
            "ReceivedDate": "2024-02-01",
            "Status": "Open",
            "AppliedAmount": "0.00",
        },
    ],
    "SequenceNumbers": [
        {"Name": "CheckNumber:FS1", "Value": 100000},
        {"Name": "PaymentCenter", "Value": 8},
    ],
    "ServiceCode": [{"ServiceCode": "D0120", "Description": "Periodic oral evaluation"}],
    "ProcessCodeEx": [
        {"ProcessCode": "PX1", "HoldsPayment": True, "Description": "Pending review"},
        {"ProcessCode": "PX2", "HoldsPayment": False, "Description": None},
    ],
    "PaymentRegister": [
        {
            "Payment_ID": "PE-2024-01:7",
            "PaymentEvent_ID": "PE-2024-01",
            "PaymentCenter_ID": 7,
            "Amount": "105.00",
            "Method": "EFT",
            "CheckNumber": "100001",
            "PaymentDate": "2024-03-15",
        },
    ],
    "PaymentEventStats": [
        {
            "payment_event_id": "PE-2024-01",
            "mode": "final",
            "status": "Completed",
            "totals": {"paid": "105.00"},
            "counts": {"claims": 2},
            "started_at": "2024-03-15T09:00:00",
            "finished_at": None,
        },
    ],
}


def write_fixture(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def simulate_final_run(engine: Engine) -> None:
    """What a Final Run of PE-2024-01 inserts: C3 paid 115.00, record 1 offset 10.00, one payment."""
    with unit_of_work(engine) as uow:
        uow.conn.execute(
            insert(claim_result).values(
                payment_event_id="PE-2024-01",
                claim_core_id="C3",
                payment_center_id=7,
                outcome="paid",
                payable=11500,
                net=11500,
                interest=0,
            )
        )
        uow.conn.execute(
            insert(claim_result).values(
                payment_event_id="PE-2024-01",
                claim_core_id="C2",
                payment_center_id=7,
                outcome="held",
                hold_reason="missing_parent_paid",
                payable=0,
                net=0,
                interest=0,
            )
        )
        uow.conn.execute(
            insert(over_and_under_payment_application).values(
                over_and_under_payment_id=1,
                payment_event_id="PE-2024-01",
                kind="offset",
                amount=1000,
            )
        )
        uow.conn.execute(
            insert(payment_register).values(
                payment_id="PE-2024-01:7",
                payment_event_id="PE-2024-01",
                payment_center_id=7,
                amount=10500,
                method="EFT",
                check_number="100001",
                payment_date=dt.date(2024, 3, 15),
            )
        )
        uow.conn.execute(
            insert(payment_event_stats).values(
                payment_event_id="PE-2024-01",
                mode="final",
                status="Completed",
                started_at=dt.datetime(2024, 3, 15, 9),
                document={
                    k: v
                    for k, v in EXPECTED["PaymentEventStats"][0].items()
                    if k not in {"started_at", "finished_at"}
                },
            )
        )
        uow.commit()


def read_export(directory: Path, name: str) -> list[dict[str, Any]]:
    text = (directory / f"{name}.json").read_text(encoding="utf-8")
    if text.startswith("["):
        return list(json.loads(text, parse_float=Decimal))
    return [json.loads(line, parse_float=Decimal) for line in text.splitlines()]


def test_load_counts_every_collection(engine: Engine, tmp_path: Path) -> None:
    counts = load_directory(engine, write_fixture(tmp_path / "in"))
    assert counts == {
        "PaymentEvent": 2,
        "Business": 2,
        "InterestConfig": 2,
        "Payer": 1,
        "FundingSource": 1,
        "InclusionCriteria": 1,
        "BenefitPlan": 2,
        "PaymentCenter": 2,
        "ClaimFinCore": 3,
        "ClaimFinCore.ServiceLines": 3,
        "OverAndUnderPayment": 2,
        "OverAndUnderPayment.Applications": 0,
        "Refund": 1,
        "SequenceNumbers": 2,
        "ServiceCode": 1,
        "ProcessCodeEx": 2,
    }


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_export_gives_back_what_was_loaded(engine: Engine, tmp_path: Path, fmt: str) -> None:
    load_directory(engine, write_fixture(tmp_path / "in"))
    simulate_final_run(engine)
    counts = export_directory(engine, tmp_path / "out", fmt=fmt)
    assert counts == {name: len(docs) for name, docs in EXPECTED.items()}
    for name, expected in EXPECTED.items():
        assert read_export(tmp_path / "out", name) == expected, name
    first_line = (tmp_path / "out" / "ClaimFinCore.json").read_text().splitlines()[0]
    assert first_line.startswith("[" if fmt == "json" else '{"ClaimCore_ID": "C1"')


def test_export_keys_follow_appendix_a_order(engine: Engine, tmp_path: Path) -> None:
    load_directory(engine, write_fixture(tmp_path / "in"))
    export_directory(engine, tmp_path / "out")
    center = read_export(tmp_path / "out", "PaymentCenter")[0]
    assert list(center) == [
        "PaymentCenter_ID",
        "PaymentCenterType",
        "TaxID",
        "NPI",
        "MemberID",
        "VendorName",
        "Address",
        "ContractType",
        "PaymentMethod",
        "BankRoutingNumber",
        "BankAccountNumber",
        "BankAccountType",
        "EraReceiverQualifier",
        "EraReceiverId",
    ]
    claim = read_export(tmp_path / "out", "ClaimFinCore")[0]
    assert list(claim)[:3] == ["ClaimCore_ID", "ParentClaimCore_ID", "FrequencyCode"]
    assert list(claim)[-6:] == [
        "PatientControlNumber",
        "PatientFirstName",
        "PatientLastName",
        "ServiceLines",
        "_id",
        "SourceSystem",
    ]
    assert list(claim["ServiceLines"][0])[:2] == ["LineNumber", "ProcedureCode"]


def test_export_then_load_then_export_is_identical(engine: Engine, tmp_path: Path) -> None:
    load_directory(engine, write_fixture(tmp_path / "in"))
    simulate_final_run(engine)
    export_directory(engine, tmp_path / "first")
    with unit_of_work(engine) as uow:
        for table in reversed(metadata.sorted_tables):
            if table.name != "schema_version":
                uow.conn.execute(table.delete())
        uow.commit()
    load_directory(engine, tmp_path / "first")  # runs, payments and applications included
    export_directory(engine, tmp_path / "second")
    for name in EXPECTED:
        first = (tmp_path / "first" / f"{name}.json").read_text()
        second = (tmp_path / "second" / f"{name}.json").read_text()
        assert second == first, name


def test_export_replaces_links_and_never_writes_outside_the_directory(
    engine: Engine, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "BenefitPlan.json").symlink_to(outside)
    load_directory(engine, write_fixture(tmp_path / "in"))
    export_directory(engine, out)
    assert outside.read_text() == "keep me"
    assert not (out / "BenefitPlan.json").is_symlink()
    assert [d["BenefitPlan_ID"] for d in read_export(out, "BenefitPlan")] == ["BP1", "BP2"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp files
    with pytest.raises(SettingsError, match="not a directory"):
        export_directory(engine, outside)
