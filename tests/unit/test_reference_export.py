"""Reference implementation, documents: the seeds' PaymentCenterClaims JSON and PaymentEventStats."""

from __future__ import annotations

import json

from tests.golden.builders import (
    KEY_A,
    KEY_B,
    NPI_B,
    TIN_B,
    claim,
    cycle,
    line,
    paid_claim,
    payee,
    record,
)

from paymentprocess.reference import compute_cycle, to_payment_center_claims_json, to_stats_document


def docs_for_review() -> dict[str, list[dict[str, object]]]:
    docs = cycle()
    docs["PaymentCenter"] = [
        payee(101, Address={"Line1": "1 Main", "City": "X", "State": "ST", "Zip": "0"})
    ]
    docs["OverAndUnderPayment"] = [record(10, 101, "OverPayment", "5.00", "2025-01-01")]
    docs["ClaimFinCore"] = [
        paid_claim("H1", "10.00"),
        claim("V1", parent="H1", freq="8", received="2025-06-01"),
        claim("R1", line("12.34"), parent="H1", freq="7", received="2025-06-02"),
        claim("C1", line("20.00"), line("1.00", number=2)),
        claim("N1", line("3.00"), tax=TIN_B, npi=NPI_B),
    ]
    return docs


def test_payment_center_claims_groups_claims_by_parent_and_kind() -> None:
    result = compute_cycle(docs_for_review(), "PE-1", "final")
    doc = to_payment_center_claims_json(result)
    json.dumps(doc)  # JSON-ready
    first, second = doc
    assert (first["PaymentCenter_ID"], first["PayeeKey"]) == (101, KEY_A)
    assert first["PaymentCenter"]["Address"]["City"] == "X"
    assert first["OverAndUnderPayment"]["OverPayment"]["RemainingAmount"] == "5.00"
    assert first["OverAndUnderPayment"]["UnderPayment"] == {
        "TotalAmount": "0.00",
        "RemainingAmount": "0.00",
        "Data": [],
    }
    assert sorted(first["Claims"]) == ["C1", "H1"]
    h1 = first["Claims"]["H1"]
    assert [c["ClaimCore_ID"] for c in h1["VoidClaim"]] == ["V1"]
    assert [(c["ClaimCore_ID"], c["NetAmount"]) for c in h1["AdjustClaim"]] == [("R1", "12.34")]
    assert h1["PaidClaim"] == []
    c1 = first["Claims"]["C1"]["PaidClaim"][0]
    assert [x["PayableAmount"] for x in c1["ServiceLines"]] == ["20.00", "1.00"]
    # 101: −10.00 + 12.34 + 21.00 = 23.34, 5.00 offset → 18.34
    assert first["PaymentResult"]["net_pay"] == "18.34"
    assert (second["PaymentCenter_ID"], second["PaymentCenter"]["Flag"]) == (501, "NEW")


def test_stats_document_has_the_spec_shape() -> None:
    dry = to_stats_document(compute_cycle(docs_for_review(), "PE-1", "dry-run"))
    assert (dry["mode"], dry["status"]) == ("dry-run", "Completed")
    assert dry["totals"] == {
        "claims_net": "26.34",
        "interest": "0.00",
        "carried_in": "0.00",
        "offsets": "5.00",
        "new_overpayment": "0.00",
        "held": "0.00",
        "paid": "21.34",
    }
    assert dry["counts"]["by_frequency_code"] == {"1": 2, "7": 1, "8": 1}
    assert dry["payees"][1] == {
        "payment_center_id": None,
        "key": KEY_B,
        "claims_net": "3.00",
        "interest": "0.00",
        "carried_in": "0.00",
        "offsets": "0.00",
        "new_overpayment": "0.00",
        "held": "0.00",
        "net_pay": "3.00",
    }
    assert [f["code"] for f in dry["findings"]] == ["FREQUENCY_COUNTS", "PAYEE_MISSING"]
