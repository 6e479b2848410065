"""Reference implementation, payee level: offsets, refunds, minimum payment, carry-in, new payees,
DMR members, numbering. Amounts in cents; every expectation is worked out in the comment beside it.
"""

from __future__ import annotations

import hashlib

from tests.golden.builders import (
    KEY_A,
    KEY_B,
    KEY_C,
    NPI_B,
    NPI_C,
    TIN_B,
    TIN_C,
    claim,
    cycle,
    interest,
    line,
    member,
    paid_claim,
    payee,
    record,
    refund,
)

from paymentprocess.reference import LedgerApplication, compute_cycle
from paymentprocess.reference.payees import stats_key

HOME = {"Line1": "1 Elm St", "City": "Springfield", "State": "IL", "Zip": "62704"}


def test_prior_overpayments_are_offset_oldest_first() -> None:
    docs = cycle()
    docs["PaymentCenter"] = [payee(101)]
    docs["OverAndUnderPayment"] = [
        record(10, 101, "OverPayment", "250.00", "2025-03-15"),
        record(11, 101, "OverPayment", "100.00", "2025-01-15"),  # older, though a larger id
    ]
    docs["ClaimFinCore"] = [claim("C1", line("400.00"))]
    result = compute_cycle(docs, "PE-1", "final")
    # available 400.00: record 11 takes 100.00, record 10 takes 250.00, 50.00 is paid
    assert result.applications == [
        LedgerApplication("offset", 11, 101, KEY_A, 10000),
        LedgerApplication("offset", 10, 101, KEY_A, 25000),
    ]
    p = result.payee(KEY_A)
    assert (p.offsets, p.net_pay) == (35000, 5000)
    assert [(x.amount, x.check_number) for x in result.payments] == [(5000, "1001")]


def test_offsets_stop_at_what_is_available() -> None:
    docs = cycle()
    docs["PaymentCenter"] = [payee(101)]
    docs["OverAndUnderPayment"] = [
        record(11, 101, "OverPayment", "100.00", "2025-01-15"),
        record(10, 101, "OverPayment", "250.00", "2025-03-15"),
    ]
    docs["ClaimFinCore"] = [claim("C1", line("300.00"))]
    result = compute_cycle(docs, "PE-1", "final")
    # 300.00 available: 100.00 from record 11, 200.00 from record 10 (50.00 stays open)
    assert [(a.record_id, a.amount) for a in result.applications] == [(11, 10000), (10, 20000)]
    assert result.payee(KEY_A).net_pay == 0
    assert result.payments == []
    assert result.new_records == []


def refund_cycle() -> dict[str, list[dict[str, object]]]:
    docs = cycle()
    docs["PaymentCenter"] = [payee(101)]
    docs["OverAndUnderPayment"] = [
        record(20, 101, "OverPayment", "300.00", "2025-01-10", ClaimChain_ID="A1"),
        record(21, 101, "OverPayment", "200.00", "2025-02-10", ClaimChain_ID="B1"),
    ]
    docs["ClaimFinCore"] = [
        paid_claim("A1", "300.00"),
        paid_claim("B2", "50.00", parent="B1"),
        claim("C1", line("100.00")),
    ]
    return docs


def test_a_refund_reduces_the_overpayment_of_its_chain_first() -> None:
    docs = refund_cycle()
    docs["Refund"] = [refund("RF1", "B2", "250.00")]
    result = compute_cycle(docs, "PE-1", "final")
    # RF1 (chain B1): record 21 (chain B1) 200.00, then record 20 (oldest other) 50.00;
    # then C1's 100.00 is offset against record 20 (250.00 left) → nothing paid
    assert result.applications == [
        LedgerApplication("refund", 21, 101, KEY_A, 20000, "RF1"),
        LedgerApplication("refund", 20, 101, KEY_A, 5000, "RF1"),
        LedgerApplication("offset", 20, 101, KEY_A, 10000),
    ]
    p = result.payee(KEY_A)
    assert (p.refunds_applied, p.offsets, p.net_pay) == (25000, 10000, 0)
    assert result.finding("REFUND_UNAPPLIED") is None


def test_a_refund_larger_than_the_open_overpayments_is_reported() -> None:
    docs = refund_cycle()
    docs["ClaimFinCore"].append(claim("X1", line("1.00"), event="PE-0", status="Paid", paid="1.00"))
    docs["Refund"] = [
        refund("RF2", "B2", "600.00"),  # 500.00 open → 100.00 left over
        refund("RF3", "NOPE", "5.00"),  # unknown claim: reported
        refund("RF4", "X1", "5.00", received="2025-06-01"),  # X1 is payee A's too
    ]
    result = compute_cycle(docs, "PE-1", "final")
    # RF4 (received earlier) goes first but X1's chain has no record: record 20 300.00 → 295.00;
    # RF2: record 21 200.00, then record 20 295.00 → 105.00 left over. C1's 100.00 is then paid.
    found = result.finding("REFUND_UNAPPLIED")
    assert found is not None
    assert (found.severity, found.count, found.sample_ids) == ("Warning", 2, ("RF2", "RF3"))
    p = result.payee(KEY_A)
    assert (p.refunds_applied, p.offsets, p.net_pay) == (50000, 0, 10000)


def test_a_refund_of_a_payee_outside_the_cycle_waits() -> None:
    docs = refund_cycle()
    docs["ClaimFinCore"].append(paid_claim("Z1", "9.00", tax=TIN_B, npi=NPI_B))
    docs["Refund"] = [refund("RF5", "Z1", "9.00")]
    result = compute_cycle(docs, "PE-1", "final")
    assert result.finding("REFUND_UNAPPLIED") is None
    assert all(a.kind != "refund" for a in result.applications)


def test_a_payee_under_the_minimum_payment_is_held_as_underpayment() -> None:
    docs = cycle(minimum="25.00")
    docs["PaymentCenter"] = [payee(101)]
    docs["ClaimFinCore"] = [claim("C1", line("20.00"))]
    result = compute_cycle(docs, "PE-1", "final")
    p = result.payee(KEY_A)
    assert (p.held, p.net_pay) == (2000, 0)  # 0 < 20.00 < 25.00
    [new] = result.new_records
    assert (new.type, new.amount, new.record_id, new.claim_chain_id) == (
        "UnderPayment",
        2000,
        51,
        None,
    )
    assert result.payments == []
    assert result.counts.payees["held"] == 1
    assert result.totals.held == 2000


def test_held_money_is_carried_in_and_paid_once_it_reaches_the_minimum() -> None:
    docs = cycle(minimum="25.00")
    docs["PaymentCenter"] = [payee(101), payee(102, TIN_B, NPI_B), member(103, "M-9")]
    docs["OverAndUnderPayment"] = [
        record(40, 101, "UnderPayment", "20.00", "2025-03-01"),
        record(41, 102, "UnderPayment", "30.00", "2025-03-01"),  # no claim this cycle
        record(42, 103, "UnderPayment", "99.00", "2025-03-01"),  # a member: not in a Provider event
    ]
    docs["ClaimFinCore"] = [claim("C1", line("10.00"))]
    result = compute_cycle(docs, "PE-1", "final")
    # 101: 10.00 + 20.00 carried = 30.00 ≥ 25.00 → paid; 102: 30.00 carried → paid
    assert [(p.payee_key, p.carried_in, p.net_pay) for p in result.payees] == [
        (KEY_A, 2000, 3000),
        (KEY_B, 3000, 3000),
    ]
    assert [(a.kind, a.record_id, a.amount) for a in result.applications] == [
        ("carry_in", 40, 2000),
        ("carry_in", 41, 3000),
    ]
    assert [(x.payment_center_id, x.check_number) for x in result.payments] == [
        (101, "1001"),
        (102, "1002"),
    ]


def test_carried_in_money_still_under_the_minimum_is_held_again() -> None:
    docs = cycle(minimum="25.00")
    docs["PaymentCenter"] = [payee(101)]
    docs["OverAndUnderPayment"] = [record(40, 101, "UnderPayment", "5.00", "2025-03-01")]
    docs["ClaimFinCore"] = [claim("C1", line("10.00"))]
    result = compute_cycle(docs, "PE-1", "final")
    p = result.payee(KEY_A)  # 10.00 + 5.00 = 15.00 < 25.00
    assert (p.carried_in, p.held, p.net_pay) == (500, 1500, 0)
    assert [(r.type, r.amount) for r in result.new_records] == [("UnderPayment", 1500)]


def new_payee_cycle() -> dict[str, list[dict[str, object]]]:
    docs = cycle()
    docs["InterestConfig"] = [
        interest("Contract", "0.05", 30, "2025-01-01"),
        interest("CMS", "0.10", 30, "2025-01-01"),
    ]
    docs["PaymentCenter"] = [payee(101, PaymentMethod="EFT")]
    docs["ClaimFinCore"] = [
        claim("C3", line("73.00"), tax=TIN_C, npi=NPI_C, ContractType="CMS", received="2025-05-01"),
        claim("C2", line("20.00"), tax=TIN_B, npi=NPI_B, received="2025-07-01"),  # not late
        claim("C1", line("10.00"), received="2025-07-01"),
    ]
    return docs


def test_new_payees_are_created_in_key_order_and_paid_after_existing_ones() -> None:
    result = compute_cycle(new_payee_cycle(), "PE-1", "final")
    assert [(n.payee_key, n.payment_center_id, n.contract_type) for n in result.new_payees] == [
        (KEY_B, 501, "Contract"),
        (KEY_C, 502, "CMS"),
    ]
    assert (result.new_payees[1].tax_id, result.new_payees[1].vendor_name) == (
        TIN_C,
        f"Provider {TIN_C}",
    )
    # C3 is paid to a new CMS payee: 75 days − 30 grace = 45 late; 7300 × 0.10 × 45 / 365 = 90
    assert result.claim("C3").interest == 90
    assert [(x.payment_center_id, x.method, x.check_number, x.amount) for x in result.payments] == [
        (101, "EFT", "1001", 1000),
        (501, "CHECK", "1002", 2000),
        (502, "CHECK", "1003", 7390),
    ]
    found = result.finding("PAYEE_MISSING")
    assert found is not None
    assert (found.severity, found.count, found.sample_ids) == ("Info", 2, (KEY_B, KEY_C))
    assert result.counts.payees == {
        "total": 3,
        "old": 1,
        "new": 2,
        "paid": 3,
        "held": 0,
        "overpaid": 0,
    }
    assert result.sequences_after == {
        "PaymentCenter": 502,
        "OverAndUnderPayment": 50,
        "CheckNumber:FS1": 1003,
    }


def test_dry_run_lists_new_payees_without_ids() -> None:
    result = compute_cycle(new_payee_cycle(), "PE-1", "dry-run")
    assert [(p.payee_key, p.payment_center_id, p.is_new) for p in result.payees] == [
        (KEY_A, 101, False),
        (KEY_B, None, True),
        (KEY_C, None, True),
    ]
    assert [(x.payment_center_id, x.check_number, x.payment_id) for x in result.payments] == [
        (101, None, None),
        (None, None, None),
        (None, None, None),
    ]
    assert result.sequences_after == {}


def test_missing_id_sequences_start_from_the_largest_id_in_use() -> None:
    docs = new_payee_cycle()
    docs["SequenceNumbers"] = [{"Name": "CheckNumber:FS1", "Value": 0}]
    result = compute_cycle(docs, "PE-1", "final")
    assert [n.payment_center_id for n in result.new_payees] == [102, 103]
    assert [x.check_number for x in result.payments] == ["1", "2", "3"]


def test_a_missing_check_sequence_blocks_the_final_run_and_is_critical_in_the_dry_run() -> None:
    docs = new_payee_cycle()
    docs["SequenceNumbers"] = []
    for mode, status in (("dry-run", "CompletedWithErrors"), ("final", "Blocked")):
        result = compute_cycle(docs, "PE-1", mode)  # type: ignore[arg-type]
        found = result.finding("SEQUENCE_MISSING")
        assert found is not None
        assert found.sample_ids == ("CheckNumber:FS1",)
        assert (found.severity, result.status) == ("Critical", status)
    assert result.payments == []


def dmr_cycle() -> dict[str, list[dict[str, object]]]:
    docs = cycle(event_type="DMR")
    docs["InterestConfig"] = [interest("Contract", "0.05", 30, "2025-01-01")]
    docs["PaymentCenter"] = [member(301, "M-1", VendorName="Ann Smith", Address=HOME)]
    docs["ClaimFinCore"] = [
        claim("D1", line("100.00"), member="M-1", received="2025-05-01"),
        claim("D2", line("40.00"), member="M-2", tax=None, npi=None, received="2025-07-01"),
        claim("D3", line("5.00"), member=None),
    ]
    return docs


def test_dmr_pays_members_without_interest_unless_a_member_row_exists() -> None:
    result = compute_cycle(dmr_cycle(), "PE-1", "dry-run")
    assert result.claim("D1").interest == 0  # only a Contract row
    assert result.claim("D3").hold_reason == "missing_payee_id"

    def pseudonym(member_id: str) -> str:  # member ids are PHI: stats show a hash prefix
        return "member:" + hashlib.sha256(member_id.encode()).hexdigest()[:16]

    assert [(p.payment_center_id, p.payee_key, p.stats_key) for p in result.payees] == [
        (301, "M-1", pseudonym("M-1")),
        (None, "M-2", pseudonym("M-2")),
    ]
    assert result.status == "CompletedWithErrors"  # MISSING_PAYEE_ID is Critical


def test_dmr_member_interest_with_a_member_row() -> None:
    docs = dmr_cycle()
    docs["ClaimFinCore"].pop()  # drop D3 so the Final Run is not blocked
    docs["InterestConfig"].append(interest("Member", "0.03", 30, "2025-01-01"))
    blocked = compute_cycle(docs, "PE-1", "final")  # new member M-2: no address for a check
    found = blocked.finding("PAYEE_ADDRESS_MISSING")
    assert blocked.status == "Blocked"
    assert found is not None
    assert found.sample_ids == (stats_key("M-2", "Member"),)
    # held under a 50.00 minimum, M-2 is created but not paid: no check to mail yet
    docs["FundingSource"][0]["MinimumPayment"] = "50.00"
    result = compute_cycle(docs, "PE-1", "final")
    # 75 days − 30 = 45 late: 10000 × 0.03 × 45 / 365 = 36.99 → 37
    assert result.claim("D1").interest == 37
    [new] = result.new_payees
    assert (new.payee_key, new.payment_center_id, new.member_id, new.tax_id) == (
        "M-2",
        501,
        "M-2",
        None,
    )
    assert [x.amount for x in result.payments] == [10037]
    assert result.finding("PAYEE_ADDRESS_MISSING") is None
