"""Documents → rows: names whatever their case, legacy names, unknown fields, derived columns."""

from __future__ import annotations

import json

from paymentprocess.io.collections import BY_NAME
from paymentprocess.io.records import convert_collection


def _convert(name: str, *docs: object) -> tuple[list[dict[str, object]], list[str]]:
    batch, problems = convert_collection(
        BY_NAME[name], f"{name}.json", [(f"line {i}", d) for i, d in enumerate(docs, 1)]
    )
    return batch.rows, [str(p) for p in problems]


def test_legacy_remaing_amount_is_remaining_amount() -> None:
    rows, problems = _convert(
        "OverAndUnderPayment",
        {"OverAndUnderPayment_ID": 1, "PaymentCenter_ID": 7, "Type": "OverPayment",
         "TotalAmount": "50.00", "RemaingAmount": "30.00"},
        {"OverAndUnderPayment_ID": 2, "PaymentCenter_ID": 7, "Type": "UnderPayment",
         "TotalAmount": "3.50"},
        {"OverAndUnderPayment_ID": 3, "PaymentCenter_ID": 7, "Type": "OverPayment",
         "TotalAmount": "9.00", "RemainingAmount": "1.00", "RemaingAmount": "2.00"},
    )  # fmt: skip
    assert [(r["total_amount"], r["opening_remaining_amount"]) for r in rows] == [
        (5000, 3000),
        (350, 350),  # RemainingAmount defaults to TotalAmount
    ]
    assert problems == [
        "OverAndUnderPayment.json line 3: RemainingAmount: given twice with different values "
        "('RemainingAmount' and 'RemaingAmount')"
    ]


def test_names_match_whatever_their_case_and_unknown_fields_are_kept() -> None:
    rows, problems = _convert(
        "PaymentCenter",
        {"paymentcenter_id": 7, "PAYMENTCENTERTYPE": "provider", "taxId": "123456789",
         "Npi": "1234567893", "address": {"line1": "1 Main St", "ZIP": "62701", "County": "Sangamon"},
         "_id": {"$oid": "65a1"}, "Rating": 4.5},
    )  # fmt: skip
    assert problems == []
    [row] = rows
    assert (row["payment_center_id"], row["payment_center_type"], row["payee_key"]) == (
        7,
        "Provider",
        "123456789|1234567893",
    )
    assert (row["address_line1"], row["address_zip"], row.get("address_city")) == (
        "1 Main St",
        "62701",
        None,
    )
    assert json.loads(str(row["extra"])) == {
        "_id": {"$oid": "65a1"},
        "Rating": 4.5,
        "Address": {"County": "Sangamon"},
    }


def test_a_payee_needs_the_identifiers_of_its_key() -> None:
    rows, problems = _convert(
        "PaymentCenter",
        {"PaymentCenter_ID": 1, "PaymentCenterType": "Provider", "TaxID": "123456789"},
        {"PaymentCenter_ID": 2, "PaymentCenterType": "Member"},
    )
    assert rows == []
    assert problems == [
        "PaymentCenter.json line 1: NPI: is required for this PaymentCenterType",
        "PaymentCenter.json line 2: MemberID: is required for this PaymentCenterType",
    ]


def test_claim_lines_carry_their_claim_id_and_defaults() -> None:
    batch, problems = convert_collection(
        BY_NAME["ClaimFinCore"],
        "ClaimFinCore.json",
        [
            (
                "line 1",
                {"ClaimCore_ID": "C1", "FrequencyCode": 7, "ReceivedDate": "2024-01-02",
                 "ServiceLines": [{"LineNumber": 1, "AllowedAmount": "9.99", "Tooth": "3"}]},
            )
        ],
    )  # fmt: skip
    assert problems == []
    [claim] = batch.rows
    assert (claim["frequency_code"], claim["status"], claim.get("billed_amount")) == (
        "7",
        "Unpaid",
        None,
    )
    [line] = batch.child_rows
    assert (line["claim_core_id"], line["allowed_amount"], line["copay_amount"]) == ("C1", 999, 0)
    assert json.loads(str(line["extra"])) == {"Tooth": "3"}
    lines = batch.child_frame()
    assert lines.select("claim_core_id", "line_number", "allowed_amount").rows() == [("C1", 1, 999)]


def test_a_bad_header_amount_does_not_hide_a_missing_line_amount() -> None:
    rows, problems = _convert(
        "ClaimFinCore",
        {"ClaimCore_ID": "C1", "FrequencyCode": "1", "ReceivedDate": "2024-01-02",
         "AllowedAmount": "1.001", "ServiceLines": [{"LineNumber": 1}]},
    )  # fmt: skip
    assert problems == [
        "ClaimFinCore.json line 1: AllowedAmount: has more than two decimal places: '1.001'",
        "ClaimFinCore.json line 1: ServiceLines[0].AllowedAmount: is required",
    ]
    assert rows == []
