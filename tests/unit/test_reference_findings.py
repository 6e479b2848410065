"""Reference implementation, findings and status: every SPEC §7 code, counts and sample ids, and a
Final Run with any Critical finding is Blocked (a Dry Run completes with errors).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.golden.builders import (
    KEY_A,
    Documents,
    claim,
    cycle,
    line,
    paid_claim,
    payee,
    record,
)

from paymentprocess.errors import InvariantError
from paymentprocess.reference import PayeeResult, Totals, compute_cycle, to_stats_document
from paymentprocess.reference.stats import check_invariant


def healthy() -> Documents:
    docs = cycle()
    docs["PaymentCenter"] = [payee(101)]
    docs["OverAndUnderPayment"] = [record(10, 101, "OverPayment", "5.00", "2025-01-01")]
    docs["ClaimFinCore"] = [claim("C1", line("50.00"))]
    return docs


def with_problem(code: str) -> Documents:
    docs = healthy()
    bad: dict[str, Any] = {
        "FREQUENCY_CODE": claim("X1", line("1.00"), freq="5"),
        "MISSING_PAYEE_ID": claim("X1", line("1.00"), tax=None),
        "DUPLICATE_CLAIM": claim("C1", line("1.00"), received="2025-06-02"),
        "INVALID_BENEFIT_PLAN": claim("X1", line("1.00"), plan="NOPE"),
    }
    if code == "SEQUENCE_MISMATCH":
        docs["SequenceNumbers"][1]["Value"] = 9  # below record id 10
    elif code == "SEQUENCE_MISSING":  # checks are never numbered from a made-up start
        docs["SequenceNumbers"] = [
            s for s in docs["SequenceNumbers"] if s["Name"] != "CheckNumber:FS1"
        ]
    else:
        docs["ClaimFinCore"].append(bad[code])
    return docs


CRITICAL = [
    "FREQUENCY_CODE",
    "MISSING_PAYEE_ID",
    "DUPLICATE_CLAIM",
    "INVALID_BENEFIT_PLAN",
    "SEQUENCE_MISMATCH",
    "SEQUENCE_MISSING",
]


@pytest.mark.parametrize("code", CRITICAL)
def test_every_critical_code_blocks_a_final_run(code: str) -> None:
    result = compute_cycle(with_problem(code), "PE-1", "final")
    found = result.finding(code)
    assert found is not None
    assert found.severity == "Critical"
    assert result.status == "Blocked"
    assert (result.payees, result.applications, result.new_records) == ([], [], [])
    assert (result.payments, result.new_payees, result.sequences_after) == ([], [], {})
    assert result.totals == Totals()
    assert result.counts.payees["total"] == 0
    assert result.claim("C1").outcome == "paid"  # claims are still reported
    assert to_stats_document(result)["payees"] == []


# what the Dry Run still pays payee A: C1's 50.00 less the 5.00 OverPayment, plus the bad claim's effect
DRY_RUN_NET_PAY = {
    "FREQUENCY_CODE": 4500,  # X1 held
    "MISSING_PAYEE_ID": 4500,  # X1 held (and without a payee)
    "DUPLICATE_CLAIM": 0,  # second C1 in chain C1: 1.00 − 50.00 = −49.00; 1.00 left, offset
    "INVALID_BENEFIT_PLAN": 4600,  # not a hold reason: X1 pays 1.00
    "SEQUENCE_MISMATCH": 4500,
    "SEQUENCE_MISSING": 4500,
}


@pytest.mark.parametrize("code", CRITICAL)
def test_a_dry_run_completes_with_errors(code: str) -> None:
    result = compute_cycle(with_problem(code), "PE-1", "dry-run")
    found = result.finding(code)
    assert found is not None
    # Critical in both runs, so the Dry Run says that the Final Run would block
    assert (found.severity, result.status) == ("Critical", "CompletedWithErrors")
    assert result.payee(KEY_A).net_pay == DRY_RUN_NET_PAY[code]


def test_healthy_cycle_completes_with_only_frequency_counts() -> None:
    result = compute_cycle(healthy(), "PE-1", "final")
    assert result.status == "Completed"
    assert result.finding_counts() == {"FREQUENCY_COUNTS": 1}
    assert result.counts.by_frequency_code == {"1": 1}


def test_an_original_of_an_already_paid_chain_is_a_duplicate() -> None:
    docs = healthy()
    docs["ClaimFinCore"] += [paid_claim("P1", "10.00"), claim("P2", line("30.00"), parent="P1")]
    result = compute_cycle(docs, "PE-1", "dry-run")
    found = result.finding("DUPLICATE_CLAIM")
    assert found is not None
    assert found.sample_ids == ("P2",)
    assert result.claim("P2").net == 2000  # computed by the chain formula: 30.00 − 10.00


def test_warning_codes_count_claims_and_list_sorted_samples() -> None:
    docs = healthy()
    docs["ClaimFinCore"] += [
        claim("W2", line("10.00", code="ZZZ"), line("5.00", code="YYY", number=2)),  # one claim
        claim("W1", line("-3.00")),  # negative allowed → NEGATIVE_AMOUNT and NEGATIVE_PAYABLE
        claim("W3", line("1.00"), npi="1234567890", tax="12-345678"),  # bad check digit, 8 digits
        paid_claim("H1", "10.00"),
        claim("W4", line("1.00"), parent="H1", freq="7", VoidClaimCore_ID="H1"),  # not a void
        claim("W5", line("1.00"), CopayAmount="-1.00"),  # negative header amount only
    ]
    result = compute_cycle(docs, "PE-1", "final")
    counts = {f.code: (f.severity, f.count, f.sample_ids) for f in result.findings}
    assert counts["UNKNOWN_SERVICE_CODE"] == ("Warning", 1, ("W2",))
    assert counts["NEGATIVE_AMOUNT"] == ("Warning", 2, ("W1", "W5"))
    assert counts["NEGATIVE_PAYABLE"] == ("Warning", 1, ("W1",))
    assert counts["INVALID_NPI"] == ("Warning", 1, ("W3",))
    assert counts["INVALID_TIN"] == ("Warning", 1, ("W3",))
    assert counts["INVALID_VOID_LINK"] == ("Warning", 1, ("W4",))
    assert counts["FREQUENCY_COUNTS"] == ("Info", 6, ())
    assert counts["ESTIMATE_DIFFERS"][1] == 1  # W5: header copay −1.00 → estimate 2.00 ≠ 1.00
    assert result.status == "Completed"
    assert [f.code for f in result.findings] == [
        "FREQUENCY_COUNTS",
        "NEGATIVE_AMOUNT",
        "NEGATIVE_PAYABLE",
        "INVALID_VOID_LINK",
        "INVALID_NPI",
        "INVALID_TIN",
        "UNKNOWN_SERVICE_CODE",
        "PAYEE_MISSING",  # W3's TaxID|NPI is not in PaymentCenter
        "REMIT_LINE_CAPPED",  # W1's line is floored at 0: its 835 CAS amounts are capped
        "ESTIMATE_DIFFERS",
    ]
    assert counts["REMIT_LINE_CAPPED"] == ("Info", 1, ("W1",))


def test_a_replacement_linked_to_a_void_of_its_chain_is_fine() -> None:
    docs = healthy()
    docs["ClaimFinCore"] += [
        paid_claim("H1", "10.00"),
        claim("V1", parent="H1", freq="8", received="2025-06-01"),
        claim(
            "R1", line("12.00"), parent="H1", freq="7", VoidClaimCore_ID="V1", received="2025-06-02"
        ),
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert result.finding("INVALID_VOID_LINK") is None
    # chain H1: paid 10.00; V1 → 0 (net −10.00); R1 → 12.00 (net +12.00)
    assert (result.claim("V1").net, result.claim("R1").net) == (-1000, 1200)


def test_sample_ids_are_sorted_and_capped_at_twenty() -> None:
    docs = healthy()
    docs["ClaimFinCore"] += [claim(f"N{i:02d}", line("1.00"), npi="999") for i in range(25, 0, -1)]
    found = compute_cycle(docs, "PE-1", "dry-run").finding("INVALID_NPI")
    assert found is not None
    assert found.count == 25
    assert found.sample_ids == tuple(f"N{i:02d}" for i in range(1, 21))


def test_the_invariant_is_enforced() -> None:
    bad = PayeeResult(
        payee_key=KEY_A,
        stats_key=KEY_A,
        payment_center_id=101,
        is_new=False,
        claims_net=100,
        net_pay=99,
    )
    with pytest.raises(InvariantError, match=r"^payee .* = 100 but .* = 99$"):
        check_invariant([bad], Totals(claims_net=100, net_pay=99))
