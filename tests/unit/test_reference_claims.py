"""Reference implementation, claim level: payable, estimate, chains, interest, holds, exclusions.

Every expected amount is computed by hand in the comment next to it (amounts in cents).
"""

from __future__ import annotations

import pytest
from tests.golden.builders import (
    KEY_A,
    KEY_B,
    NPI_B,
    TIN_B,
    Documents,
    claim,
    cycle,
    interest,
    line,
    paid_claim,
    payee,
)

from paymentprocess.reference import compute_cycle


def rates(docs: Documents) -> Documents:
    """Contract 4 % until June, 5 % from July (grace 15); CMS 10 % (not used here)."""
    docs["InterestConfig"] = [
        interest("Contract", "0.04", 15, "2025-01-01", "2025-06-30"),
        interest("Contract", "0.05", 15, "2025-07-01"),
        interest("CMS", "0.10", 15, "2025-01-01"),
    ]
    return docs


def one_late_claim(**cycle_kw: object) -> Documents:
    docs = rates(cycle(**cycle_kw))  # type: ignore[arg-type]
    docs["PaymentCenter"] = [payee(101)]
    # payable = 1000.00 − 100.00 − 50.00 − 20.00 = 830.00
    docs["ClaimFinCore"] = [
        claim("C1", line("1000.00", "100.00", "50.00", "20.00"), received="2025-05-01")
    ]
    return docs


def test_prompt_pay_interest_uses_the_rate_in_force_and_business_custom_days() -> None:
    # due 2025-07-15 → the 5 % row; 2025-05-01 → 2025-07-15 = 75 days; custom days 30 → 45 late
    # interest = 83000 × 0.05 × 45 / 365 = 511.64 → 512
    result = compute_cycle(one_late_claim(custom_days=30), "PE-1", "final")
    c1 = result.claim("C1")
    assert (c1.outcome, c1.payable, c1.net, c1.interest) == ("paid", 83000, 83000, 512)
    assert result.payee(KEY_A).net_pay == 83512
    [payment] = result.payments
    assert (payment.payment_id, payment.check_number, payment.amount) == ("PE-1:101", "1001", 83512)


def test_interest_without_custom_days_uses_the_rows_grace_days() -> None:
    # 75 days − 15 grace = 60 late: 83000 × 0.05 × 60 / 365 = 682.19 → 682
    result = compute_cycle(one_late_claim(), "PE-1", "final")
    assert result.claim("C1").interest == 682


def test_interest_rate_changes_with_the_payment_date() -> None:
    # due 2025-06-30 → the 4 % row; 60 days − 30 custom = 30 late: 83000 × 0.04 × 30 / 365 = 272.88 → 273
    result = compute_cycle(one_late_claim(due="2025-06-30", custom_days=30), "PE-1", "final")
    assert result.claim("C1").interest == 273


def test_interest_rounds_half_up() -> None:
    # 150 × 0.05 × 73 / 365 = 1.5 exactly → 2
    docs = cycle(custom_days=0)
    docs["InterestConfig"] = [interest("Contract", "0.05", 15, "2025-01-01")]
    docs["ClaimFinCore"] = [claim("C1", line("1.50"), received="2025-05-03")]
    assert compute_cycle(docs, "PE-1", "final").claim("C1").interest == 2


def test_contract_type_of_the_payee_chooses_the_row() -> None:
    # payee 101 is CMS: 10 %; 75 − 15 = 60 late: 83000 × 0.10 × 60 / 365 = 1364.38 → 1364
    docs = one_late_claim()
    docs["PaymentCenter"] = [payee(101, ContractType="CMS")]
    assert compute_cycle(docs, "PE-1", "final").claim("C1").interest == 1364


def test_replacement_paying_less_creates_an_overpayment() -> None:
    docs = cycle()
    docs["PaymentCenter"] = [payee(101)]
    docs["ClaimFinCore"] = [
        paid_claim("C1", "500.00"),
        claim("C2", line("300.00"), parent="C1", freq="7"),  # net = 300.00 − 500.00 = −200.00
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert result.claim("C2").net == -20000
    assert result.claim("C2").interest == 0
    p = result.payee(KEY_A)
    assert (p.claims_net, p.new_overpayment, p.net_pay) == (-20000, 20000, 0)
    [new] = result.new_records
    assert (new.type, new.amount, new.claim_chain_id, new.record_id) == (
        "OverPayment",
        20000,
        "C1",
        51,
    )
    assert result.payments == []
    assert result.finding("DUPLICATE_CLAIM") is None


def test_replacement_paying_more_pays_the_difference() -> None:
    docs = cycle()
    docs["ClaimFinCore"] = [
        paid_claim("C1", "500.00"),
        claim("C2", line("650.00"), parent="C1", freq="7"),
    ]
    assert compute_cycle(docs, "PE-1", "final").claim("C2").net == 15000  # 650 − 500


def test_void_and_its_original_in_the_same_cycle_net_to_zero() -> None:
    docs = cycle()
    docs["ClaimFinCore"] = [
        claim("C1", line("400.00"), received="2025-06-01"),  # net 400.00 − 0
        claim("C2", line("400.00"), parent="C1", freq="8", received="2025-06-05"),  # net 0 − 400.00
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert [(c.claim_core_id, c.net) for c in result.claims] == [("C1", 40000), ("C2", -40000)]
    p = result.payee(KEY_A)
    assert (p.claims_net, p.net_pay, p.new_overpayment) == (0, 0, 0)
    assert result.payments == []
    assert result.new_records == []


def test_void_of_a_paid_chain_takes_back_what_was_paid() -> None:
    docs = cycle()
    docs["ClaimFinCore"] = [paid_claim("C5", "120.00"), claim("C6", parent="C5", freq="8")]
    assert compute_cycle(docs, "PE-1", "final").claim("C6").net == -12000


def test_replacement_without_paid_parent_is_held() -> None:
    docs = cycle()
    docs["ClaimFinCore"] = [
        claim("C9", line("80.00"), parent="C8", freq="7"),  # no history, no original: held
        claim("V1", parent="O1", freq="8", received="2025-05-01"),  # void before its original: held
        claim("O1", line("60.00"), received="2025-05-02"),  # the anchor: pays 60.00
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert result.claim("C9").hold_reason == "missing_parent_paid"
    assert (result.claim("V1").outcome, result.claim("V1").net) == ("held", 0)
    assert result.claim("O1").net == 6000
    found = result.finding("MISSING_PARENT_PAID")
    assert found is not None
    assert (found.count, found.sample_ids) == (2, ("C9", "V1"))
    assert result.status == "Completed"  # a Warning does not block


def test_claims_outside_the_inclusion_criteria_are_excluded() -> None:
    docs = cycle(criteria={"BenefitPlan_IDs": ["BP1"], "ExcludePaymentCenters": ["101"]})
    docs["PaymentCenter"] = [payee(101), payee(102, TIN_B, NPI_B)]
    docs["ClaimFinCore"] = [
        claim("C1", line("10.00"), tax=TIN_B, npi=NPI_B, plan="BP2"),  # plan not listed
        claim("C2", line("20.00")),  # payee 101 excluded by id
        claim("C3", line("30.00"), tax=TIN_B, npi=NPI_B),  # inside
        claim(
            "C4", line("5.00"), parent="C2", freq="7", tax=TIN_B, npi=NPI_B
        ),  # its original excluded
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert [(c.claim_core_id, c.outcome, c.hold_reason) for c in result.claims] == [
        ("C1", "excluded", "inclusion_criteria"),
        ("C2", "excluded", "inclusion_criteria"),
        ("C3", "paid", None),
        ("C4", "held", "missing_parent_paid"),
    ]
    assert [p.payee_key for p in result.payees] == [KEY_B]
    assert result.counts.by_outcome == {"paid": 1, "held": 1, "excluded": 2}


def test_include_list_matches_a_payee_by_key() -> None:
    docs = cycle(criteria={"IncludePaymentCenters": [KEY_B]})
    docs["ClaimFinCore"] = [
        claim("C1", line("10.00")),
        claim("C2", line("20.00"), tax=TIN_B, npi=NPI_B),
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert (result.claim("C1").outcome, result.claim("C2").outcome) == ("excluded", "paid")


def test_process_exception_holds_the_claim() -> None:
    docs = cycle()
    docs["ProcessCodeEx"] = [
        {"ProcessCode": "PX1", "HoldsPayment": True, "Description": "hold"},
        {"ProcessCode": "PX2", "HoldsPayment": False, "Description": "note only"},
    ]
    docs["ClaimFinCore"] = [
        claim("C1", line("10.00"), ProcessCodes=["PX1"]),
        claim("C2", line("20.00"), ProcessCodes=["PX2"]),
    ]
    result = compute_cycle(docs, "PE-1", "final")
    assert (result.claim("C1").hold_reason, result.claim("C2").outcome) == (
        "process_exception",
        "paid",
    )
    found = result.finding("PROCESS_EXCEPTION")
    assert found is not None
    assert (found.severity, found.count, found.sample_ids) == (
        "Info",
        1,
        ("C1",),
    )
    assert result.payee(KEY_A).claims_net == 2000


def test_line_payable_is_floored_and_dry_run_estimates_from_the_header() -> None:
    docs = cycle()
    docs["ClaimFinCore"] = [
        claim(
            "C1",
            line("300.00", number=1),  # 300.00
            line("250.00", copay="30.00", number=2),  # 220.00
            line("40.00", deductible="50.00", number=3),  # −10.00 → 0 (NEGATIVE_PAYABLE)
            AllowedAmount="500.00",
            DeductibleAmount="50.00",
        )
    ]
    # estimate: header allowed 500.00 − header deductible 50.00 − Σ lines copay 30.00 = 420.00
    final = compute_cycle(docs, "PE-1", "final")
    assert final.claim("C1").line_payables == (30000, 22000, 0)
    assert (final.claim("C1").payable, final.claim("C1").estimate) == (52000, 42000)
    assert final.finding_counts()["ESTIMATE_DIFFERS"] == 1
    assert final.finding_counts()["NEGATIVE_PAYABLE"] == 1
    dry = compute_cycle(docs, "PE-1", "dry-run")
    assert (dry.claim("C1").payable, dry.claim("C1").net) == (42000, 42000)
    assert dry.finding("ESTIMATE_DIFFERS") is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"NPI": None}, "missing_payee_id"),
        ({"NPI": None, "FrequencyCode": "9"}, "missing_payee_id"),  # the first reason wins
        ({"FrequencyCode": "9"}, "frequency_code"),
        ({"BenefitPlan_ID": "BP2"}, "inclusion_criteria"),
        ({"ProcessCodes": ["PX1"]}, "process_exception"),
    ],
)
def test_hold_reasons_apply_in_order(changes: dict[str, object], reason: str) -> None:
    docs = cycle(criteria={"BenefitPlan_IDs": ["BP1"]})
    docs["ProcessCodeEx"] = [{"ProcessCode": "PX1", "HoldsPayment": True}]
    docs["ClaimFinCore"] = [{**claim("C1", line("10.00")), **changes}]
    assert compute_cycle(docs, "PE-1", "dry-run").claim("C1").hold_reason == reason
