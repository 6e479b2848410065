"""FHIR R4 PaymentReconciliation NDJSON: exact text, fhir.resources R4B validation, Σ detail."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from fhir.resources.R4B.paymentreconciliation import PaymentReconciliation

from paymentprocess.outputs.fhir import (
    FhirDetail,
    FhirRemittance,
    fhir_id,
    render_payment_reconciliations,
)
from paymentprocess.outputs.problems import OutputDataError

NPI = "1234567893"
DAY = date(2026, 1, 15)

# OUTPUTS.md §3.8: 72 − 50 + 60 = 82 in claims; interest 1.23 paid (+), FB 30 offset (−) → 53.23
WORKED = FhirRemittance(
    remit_id="PE-1:1234",
    payment_id="PE-1:1234",
    payee_id=1234,
    created_at=datetime(2026, 1, 14, 16, 5),
    payer_tin="987654321",
    payment_date=DAY,
    amount_cents=5323,
    trn02="1001",
    details=(
        FhirDetail("payment", "CA-1", None, NPI, DAY, 7200),
        FhirDetail("adjustment", "CB-0", None, NPI, DAY, -5000),
        FhirDetail("payment", "CB-1", "CB-0", NPI, DAY, 6000),
        FhirDetail("adjustment", None, None, NPI, DAY, 123, reference="L6"),
        FhirDetail("adjustment", None, None, NPI, DAY, -3000, reference="FB:1000"),
    ),
)


def _lines(content: bytes) -> list[str]:
    assert content.endswith(b"\n")
    return content.decode("utf-8").split("\n")[:-1]


def test_worked_example_renders_keys_in_order_and_money_with_two_decimals() -> None:
    (line,) = _lines(render_payment_reconciliations([WORKED]))
    assert line.startswith(
        '{"resourceType":"PaymentReconciliation","id":"PE-1.3A1234",'
        '"identifier":[{"system":"urn:paymentprocess:payment-id","value":"PE-1:1234"}],'
        '"status":"active","created":"2026-01-14T16:05:00Z",'
        '"paymentIssuer":{"type":"Organization","identifier":'
        '{"system":"urn:oid:2.16.840.1.113883.4.4","value":"987654321"}},'
        '"outcome":"complete","disposition":"Claim payment","paymentDate":"2026-01-15",'
        '"paymentAmount":{"value":53.23,"currency":"USD"},'
        '"paymentIdentifier":{"system":"urn:paymentprocess:trn02","value":"1001"},"detail":['
    )
    assert (
        '{"predecessor":{"system":"urn:paymentprocess:claim-core-id","value":"CB-0"},'
        '"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/payment-type",'
        '"code":"payment"}]},"request":{"type":"Claim","identifier":'
        '{"system":"urn:paymentprocess:claim-core-id","value":"CB-1"}},"date":"2026-01-15",'
        '"payee":{"type":"Organization","identifier":{"system":"http://hl7.org/fhir/sid/us-npi",'
        '"value":"1234567893"}},"amount":{"value":60.00,"currency":"USD"}}'
    ) in line
    assert '"amount":{"value":-30.00,"currency":"USD"}' in line
    assert '"identifier":{"system":"urn:paymentprocess:plb","value":"FB:1000"}' in line
    assert " " not in line.replace("Claim payment", "")


def test_validates_with_fhir_resources_r4b_and_details_add_up() -> None:
    second = FhirRemittance(
        remit_id="PE 2/ü:9",
        payment_id="PE 2/ü:9",
        payee_id=9,
        created_at=datetime(2026, 1, 14, 16, 5),
        payer_tin="987654321",
        payment_date=DAY,
        amount_cents=10,
        trn02="1002",
        details=(FhirDetail("payment", "C9", None, NPI, DAY, 10),),
    )
    content = render_payment_reconciliations([WORKED, second])
    lines = _lines(content)
    assert len(lines) == 2
    for line in lines:
        resource = PaymentReconciliation.model_validate_json(line)
        assert resource.paymentAmount.value == sum(d.amount.value for d in resource.detail)
        parsed = json.loads(line, parse_float=Decimal)
        assert parsed["paymentAmount"]["value"] == resource.paymentAmount.value
    first = PaymentReconciliation.model_validate_json(lines[0])
    assert first.paymentAmount.value == Decimal("53.23")
    assert [d.type.coding[0].code for d in first.detail] == [
        "payment",
        "adjustment",
        "payment",
        "adjustment",
        "adjustment",
    ]
    assert json.loads(lines[1])["id"] == "PE.202.2F.C3.BC.3A9"
    assert render_payment_reconciliations([WORKED, second]) == content


def test_detail_sum_must_equal_payment_amount() -> None:
    bad = FhirRemittance(**{**WORKED.__dict__, "amount_cents": 5324})
    with pytest.raises(OutputDataError) as caught:
        render_payment_reconciliations([bad])
    assert [(p.code, p.payee_id) for p in caught.value.problems] == [("FHIR_DETAIL_SUM", 1234)]
    assert "53.23" in str(caught.value)


def test_zero_payment_and_overlong_id_are_refused() -> None:
    zero = FhirRemittance(**{**WORKED.__dict__, "amount_cents": 0, "details": ()})
    long = FhirRemittance(**{**WORKED.__dict__, "remit_id": "E" * 70})
    with pytest.raises(OutputDataError) as caught:
        render_payment_reconciliations([zero, long])
    assert [p.code for p in caught.value.problems] == [
        "FHIR_NO_PAYMENT",
        "FHIR_NO_DETAIL",
        "FHIR_ID_TOO_LONG",
    ]


def test_fhir_id_is_injective_on_separators() -> None:
    assert fhir_id("PE-1:12") != fhir_id("PE-1.12")
    assert fhir_id("PE-1.12") == "PE-1.2E12"
