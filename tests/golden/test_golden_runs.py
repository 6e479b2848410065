"""Golden payment cycles, each computed by hand, run by the engine on SQLite and PostgreSQL.

Every case is a small cycle (builders in tests/golden/builders.py: event PE-1 due 2025-07-15,
claims received 2025-06-01 unless said, payee 7 = TIN_A|NPI_A with contract type Contract,
sequences PaymentCenter 500 / OverAndUnderPayment 50 / CheckNumber:FS1 1000) and two tables
worked out by hand: the Final Run's payee results and the claims' outcome, net and interest. The
harness also requires the reference implementation to agree on everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t

Docs = dict[str, list[dict[str, Any]]]
#            payee  claims_net  interest  carried_in  offsets  new_overpayment  held  net_pay
PayeeRow = tuple[Any, str, str, str, str, str, str, str]
ClaimRow = tuple[str, str, str]  # outcome, net, interest


def _interest_with_custom_days() -> Docs:
    # C1: received 05-01, due 07-15 = 75 days − 10 custom days = 65 late days, rate in force on
    # 07-15 is 6 % (not the 4 % of the first half): 1000.00 × 0.06 × 65 / 365 = 10.684… → 10.68.
    # C2: received 07-10: 5 days − 10 < 0 → no interest.
    d = b.cycle(custom_days=10)
    d["InterestConfig"] = [
        b.interest("Contract", "0.04", 30, "2025-01-01", "2025-06-30"),
        b.interest("Contract", "0.06", 30, "2025-07-01"),
    ]
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("1000.00"), received="2025-05-01"),
        b.claim("C2", b.line("50.00"), received="2025-07-10"),
    ]
    return d


def _replacement_pays_less() -> Docs:
    # H1 paid 100.00 last cycle; replacement C2 is worth 60.00 → net −40.00 → new overpayment 40.00.
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.paid_claim("H1", "100.00"),
        b.claim("C2", b.line("60.00"), parent="H1", freq="7"),
    ]
    return d


def _void_and_original_same_cycle() -> Docs:
    # C1 pays 80.00, its void V1 (received a day later) takes 80.00 back: the payee nets 0.
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("80.00")),
        b.claim("V1", parent="C1", freq="8", received="2025-06-02"),
    ]
    return d


def _offsets_oldest_first() -> Docs:
    # available 150.00; record 2 (Feb, 30.00) then record 3 (Mar, 90.00) → offsets 120.00, pay 30.00.
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("150.00"))]
    d["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", "90.00", "2025-03-01"),
        b.record(2, 7, "OverPayment", "30.00", "2025-02-01"),
    ]
    return d


def _refund_reduces_overpayment() -> Docs:
    # record 3 holds 50.00; refund RF1 (20.00) brings it to 30.00 first; then the offset takes
    # 30.00 of the 100.00 available → pay 70.00.
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.paid_claim("H1", "40.00"), b.claim("C1", b.line("100.00"))]
    d["OverAndUnderPayment"] = [b.record(3, 7, "OverPayment", "50.00", "2025-03-01")]
    d["Refund"] = [b.refund("RF1", "H1", "20.00")]
    return d


def _missing_parent_held() -> Docs:
    # C7 replaces a chain nobody paid: held, 0; C1 pays 10.00.
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00")),
        b.claim("C7", b.line("40.00"), parent="NOPE", freq="7"),
    ]
    return d


def _outside_inclusion_criteria() -> Docs:
    # Only plan BP1 is paid this cycle: C2 (BP2) is excluded.
    d = b.cycle(
        criteria={
            "BenefitPlan_IDs": ["BP1"],
            "IncludePaymentCenters": [],
            "ExcludePaymentCenters": [],
        }
    )
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("10.00")), b.claim("C2", b.line("20.00"), plan="BP2")]
    return d


def _process_exception_hold() -> Docs:
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7)]
    d["ProcessCodeEx"] = [
        {"ProcessCode": "PX", "HoldsPayment": True, "Description": "hold"},
        {"ProcessCode": "OK", "HoldsPayment": False, "Description": "info"},
    ]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00"), ProcessCodes=["OK"]),
        b.claim("C2", b.line("25.00"), ProcessCodes=["PX"]),
    ]
    return d


def _dmr_member() -> Docs:
    # A member is paid 70.00; late, but members get no interest without a Member row.
    d = b.cycle(event_type="DMR")
    d["InterestConfig"] = [b.interest("Contract", "0.06", 0, "2025-01-01")]
    home = {"Line1": "1 Elm St", "City": "Springfield", "State": "IL", "Zip": "62704"}
    d["PaymentCenter"] = [b.member(9, "M1", VendorName="Ann Smith", Address=home)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("70.00"), tax=None, npi=None, member="M1", received="2025-01-01")
    ]
    return d


def _new_payee_created() -> Docs:
    # TIN_B|NPI_B is not a payee yet: the Final Run creates id 501 and pays it check 1001.
    d = b.cycle()
    d["ClaimFinCore"] = [b.claim("C1", b.line("45.00"), tax=b.TIN_B, npi=b.NPI_B)]
    return d


CASES: dict[str, tuple[Callable[[], Docs], list[PayeeRow], dict[str, ClaimRow]]] = {
    "original with dated interest and custom days": (
        _interest_with_custom_days,
        [(7, "1050.00", "10.68", "0.00", "0.00", "0.00", "0.00", "1060.68")],
        {"C1": ("paid", "1000.00", "10.68"), "C2": ("paid", "50.00", "0.00")},
    ),
    "replacement paying less than was paid": (
        _replacement_pays_less,
        [(7, "-40.00", "0.00", "0.00", "0.00", "40.00", "0.00", "0.00")],
        {"C2": ("paid", "-40.00", "0.00")},
    ),
    "void and original in the same cycle": (
        _void_and_original_same_cycle,
        [(7, "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00")],
        {"C1": ("paid", "80.00", "0.00"), "V1": ("paid", "-80.00", "0.00")},
    ),
    "prior overpayments offset oldest first": (
        _offsets_oldest_first,
        [(7, "150.00", "0.00", "0.00", "120.00", "0.00", "0.00", "30.00")],
        {"C1": ("paid", "150.00", "0.00")},
    ),
    "refund reduces an overpayment": (
        _refund_reduces_overpayment,
        [(7, "100.00", "0.00", "0.00", "30.00", "0.00", "0.00", "70.00")],
        {"C1": ("paid", "100.00", "0.00")},
    ),
    "missing parent paid claim is held": (
        _missing_parent_held,
        [(7, "10.00", "0.00", "0.00", "0.00", "0.00", "0.00", "10.00")],
        {"C1": ("paid", "10.00", "0.00"), "C7": ("held", "0.00", "0.00")},
    ),
    "claim outside the inclusion criteria": (
        _outside_inclusion_criteria,
        [(7, "10.00", "0.00", "0.00", "0.00", "0.00", "0.00", "10.00")],
        {"C1": ("paid", "10.00", "0.00"), "C2": ("excluded", "0.00", "0.00")},
    ),
    "process-exception hold": (
        _process_exception_hold,
        [(7, "10.00", "0.00", "0.00", "0.00", "0.00", "0.00", "10.00")],
        {"C1": ("paid", "10.00", "0.00"), "C2": ("held", "0.00", "0.00")},
    ),
    "DMR event pays a member": (
        _dmr_member,
        [(9, "70.00", "0.00", "0.00", "0.00", "0.00", "0.00", "70.00")],
        {"C1": ("paid", "70.00", "0.00")},
    ),
    "new payee created in the Final Run": (
        _new_payee_created,
        [(501, "45.00", "0.00", "0.00", "0.00", "0.00", "0.00", "45.00")],
        {"C1": ("paid", "45.00", "0.00")},
    ),
}


def _payee_table(doc: dict[str, Any]) -> list[PayeeRow]:
    names = (
        "claims_net",
        "interest",
        "carried_in",
        "offsets",
        "new_overpayment",
        "held",
        "net_pay",
    )
    return [(p["payment_center_id"], *(p[n] for n in names)) for p in doc["payees"]]


def _claim_table(engine: Engine, event_id: str) -> dict[str, ClaimRow]:
    r = t.claim_result
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.claim_core_id, r.c.outcome, r.c.net, r.c.interest).where(
                r.c.payment_event_id == event_id
            )
        ).all()
    from paymentprocess.domain.money import format_cents

    return {row[0]: (row[1], format_cents(row[2]), format_cents(row[3])) for row in rows}


@pytest.mark.parametrize("case", list(CASES))
def test_golden_cycle(engine: Engine, case: str) -> None:
    build, payees, claims = CASES[case]
    _, final = run_both(engine, build(), "PE-1")
    assert final.exit_code == 0, final.message
    assert _payee_table(final.document) == payees
    assert _claim_table(engine, "PE-1") == claims


def test_held_under_minimum_then_paid_next_cycle_with_carry_in(engine: Engine) -> None:
    # Cycle 1: 10.00 < minimum 25.00 → held as UnderPayment 51 (sequence 50 + 1), nothing paid.
    d = b.cycle(minimum="25.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("10.00"))]
    _, first = run_both(engine, d, "PE-1")
    assert _payee_table(first.document) == [
        (7, "10.00", "0.00", "0.00", "0.00", "0.00", "10.00", "0.00")
    ]
    # Cycle 2: 20.00 of claims + 10.00 carried in = 30.00 ≥ 25.00 → paid 30.00, check 1001.
    load_documents(
        engine,
        {
            "PaymentEvent": [
                {**d["PaymentEvent"][0], "PaymentEvent_ID": "PE-2", "PaymentDueDate": "2025-08-15"}
            ],
            "ClaimFinCore": [b.claim("C2", b.line("20.00"), event="PE-2")],
        },
    )
    assert run_payment_event(engine, "PE-2", "dry-run").exit_code == 0
    second = run_payment_event(engine, "PE-2", "final")
    assert _payee_table(second.document) == [
        (7, "20.00", "0.00", "10.00", "0.00", "0.00", "0.00", "30.00")
    ]
    reg = t.payment_register
    with engine.connect() as conn:
        paid = conn.execute(select(reg.c.payment_event_id, reg.c.amount, reg.c.check_number)).all()
    assert [tuple(p) for p in paid] == [("PE-2", 3000, "1001")]
