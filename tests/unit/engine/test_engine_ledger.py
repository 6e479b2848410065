"""Stage `ledger` on hand-written frames, no database: per-payee results (SPEC §5) with
carry-in, offsets oldest first, a refund reducing an OverPayment, held money under the minimum
and a new overpayment. The arithmetic is in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
from tests.unit.engine.test_engine_stages import _cfg

from paymentprocess.domain import payee_result
from paymentprocess.engine import ledger
from paymentprocess.engine.invariant import check_invariant

D = dt.date


def test_payee_results_offsets_carry_in_refunds_held_and_new_overpayment() -> None:
    claims = pl.DataFrame(
        {
            "payee_key": ["T|N", "T|N", "B", "C", "D"],
            "chain_id": ["A1", "A2", "B1", "C1", "D1"],
            "outcome": ["paid", "paid", "paid", "paid", "held"],
            "net": [30_000, 2_000, 300, -4_000, 99_999],
            "interest": [100, 0, 0, 0, 0],
            "payment_center_id": [1, 1, 2, 3, None],
            "payment_method": ["CHECK"] * 5,
        }
    )
    cycle = pl.DataFrame(
        {"payee_key": ["T|N", "B", "C"], "payment_center_id": [1, 2, 3],
         "payment_method": ["CHECK"] * 3, "is_new": [False] * 3}
    )  # fmt: skip
    records = pl.DataFrame(
        {
            "over_and_under_payment_id": [10, 11, 12, 13, 14],
            "payment_center_id": [1, 1, 1, 2, 9],
            "type": ["OverPayment", "OverPayment", "UnderPayment", "UnderPayment", "OverPayment"],
            "remaining": [5_000, 50_000, 700, 150, 1_000],
            "created_date": [D(2025, 2, 1), D(2025, 1, 1), D(2025, 3, 1), D(2025, 3, 1),
                             D(2025, 1, 1)],
            "claim_chain_id": ["A9", "A8", None, None, None],
        }
    )  # fmt: skip
    refunds = pl.DataFrame(
        {"refund_id": ["RF1"], "remaining": [2_000], "received_date": [D(2025, 6, 1)],
         "parent_claim_core_id": ["A9"], "tax_id": ["T"], "npi": ["N"]}
    )  # fmt: skip
    # the refund's payee is TaxID|NPI = T|N, a cycle payee
    sums = ledger.claim_sums(claims)
    result = ledger.payee_results(sums, cycle, records, refunds, _cfg(minimum_payment=500))
    rows = {
        r["payee_key"]: r for r in result.payees.select("payee_key", *payee_result.NAMES).to_dicts()
    }
    # every payee-result field, with its dtype (domain.payee_result)
    assert result.payees.select(payee_result.NAMES).schema == payee_result.SCHEMA
    # T|N: available = 300.00 + 20.00 + 1.00 interest + 7.00 carried in = 328.00.
    #   RF1 (20.00) first reduces its own chain's record 10 (A9): 50.00 → 30.00.
    #   Offsets oldest first: record 11 (2025-01-01, 500.00) takes all 328.00; record 10 keeps
    #   30.00 open. After offsets nothing is left: held 0, net pay 0.
    assert rows["T|N"] == {
        "payee_key": "T|N", "claims_net": 32_000, "interest": 100, "carried_in": 700,
        "offsets": 32_800, "new_overpayment": 0, "held": 0, "net_pay": 0,
        "refunds_applied": 2_000,
    }  # fmt: skip
    # B: 3.00 + 1.50 carried in = 4.50 < the 5.00 minimum: held 4.50, nothing paid
    assert (rows["B"]["held"], rows["B"]["net_pay"], rows["B"]["carried_in"]) == (450, 0, 150)
    # C: a net of −40.00 (a void): new overpayment 40.00, nothing paid or held
    assert (rows["C"]["new_overpayment"], rows["C"]["net_pay"], rows["C"]["held"]) == (4_000, 0, 0)
    # D's claim is held and D is not a cycle payee; record 14 belongs to no cycle payee
    assert set(rows) == {"T|N", "B", "C"}
    apps = sorted(result.applications.select("over_and_under_payment_id", "kind", "amount").rows())
    assert apps == [(10, "refund", 2_000), (11, "offset", 32_800), (12, "carry_in", 700),
                    (13, "carry_in", 150)]  # fmt: skip
    assert result.refunds.select("refund_id", "applied").rows() == [("RF1", 2_000)]
    check_invariant(result.payees)  # claims + interest + carried in = paid + held + offsets − new
