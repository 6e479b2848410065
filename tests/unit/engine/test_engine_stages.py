"""The pure stages of the engine on tiny hand-written frames, no database: compute (line and
claim payables, estimates, interest), payees (keys, contract types, the cycle's payees, stats
keys) and transform (chain nets). Expected values are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from paymentprocess.domain import payee_keys
from paymentprocess.domain.columns import MONEY
from paymentprocess.domain.run_config import InterestTerms, RunConfig
from paymentprocess.engine import compute, ledger, payees, transform


def _cfg(mode: str = "final", event_type: str = "Provider", **kw: Any) -> RunConfig:
    values: dict[str, Any] = {
        "payment_event_id": "PE-1",
        "mode": mode,
        "event_type": event_type,
        "payment_due_date": dt.date(2025, 7, 1),
        "stage": "DryRun",
        "fingerprint": None,
        "business_id": "B1",
        "funding_source_id": "FS1",
        "minimum_payment": 500,
        "custom_interest_days": None,
        "benefit_plan_filter": (),
        "include_payees": (),
        "exclude_payees": (),
        "interest": {"Contract": InterestTerms(rate_ppm=40_000, grace_days=30)},
        "benefit_plans": frozenset({"BP1"}),
        "service_codes": frozenset({"D0120"}),
        "holding_process_codes": frozenset(),
    }
    values.update(kw)
    return RunConfig(**values)


def _lines(*rows: tuple[str, int, int, int, int, int]) -> pl.DataFrame:
    """(claim, allowed, deductible, coinsurance, copay, other) in cents; billed = allowed."""
    return pl.DataFrame(
        [
            {"claim_core_id": c, "line_number": i, "billed_amount": a, "allowed_amount": a,
             "deductible_amount": d, "coinsurance_amount": co, "copay_amount": cp,
             "other_adjustment_amount": o}
            for i, (c, a, d, co, cp, o) in enumerate(rows, start=1)
        ],
        schema={"claim_core_id": pl.String, "line_number": pl.Int64, **dict.fromkeys(MONEY, pl.Int64)},
    )  # fmt: skip


def test_line_payable_is_allowed_minus_member_share_floored_at_zero() -> None:
    lines = compute.line_payables(
        _lines(
            ("C1", 10_000, 1_000, 2_000, 500, 0),  # 100.00 − 10.00 − 20.00 − 5.00 = 65.00
            ("C1", 5_000, 0, 0, 0, 250),  # 50.00 − 2.50 other adjustment = 47.50
            ("C2", 3_000, 2_000, 1_500, 0, 0),  # 30.00 − 20.00 − 15.00 = −5.00 → 0
        )
    )
    assert lines["raw_payable"].to_list() == [6_500, 4_750, -500]
    assert lines["payable"].to_list() == [6_500, 4_750, 0]


def _claims(**columns: list[Any]) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, Any] = {m: [None] * n for m in MONEY}
    base.update(columns)
    return pl.DataFrame(base, schema_overrides=dict.fromkeys(MONEY, pl.Int64))


def test_claim_payable_is_the_line_sum_in_final_and_the_header_estimate_in_dry_run() -> None:
    lines = compute.line_payables(
        _lines(("C1", 10_000, 1_000, 2_000, 500, 0), ("C1", 5_000, 0, 0, 0, 250),
               ("C2", 3_000, 2_000, 1_500, 0, 0))
    )  # fmt: skip
    # C1's header says allowed 160.00 and deductible 10.00, the other shares missing: they
    # default to the lines' sums (coinsurance 20.00, copay 5.00, other 2.50) → estimate
    # 160.00 − 10.00 − 20.00 − 5.00 − 2.50 = 122.50; its lines pay 65.00 + 47.50 = 112.50.
    # C2 has no header amounts: its estimate is the lines' formula on their sums, 30 − 35 → 0.
    # C3 has no lines at all: line payable 0, estimate 0.
    claims = _claims(
        claim_core_id=["C1", "C2", "C3"],
        allowed_amount=[16_000, None, None],
        deductible_amount=[1_000, None, None],
    )
    final = compute.claim_payables(claims, lines, _cfg("final")).sort("claim_core_id")
    assert final["line_payable"].to_list() == [11_250, 0, 0]
    assert final["estimate"].to_list() == [12_250, 0, 0]
    assert final["payable"].to_list() == [11_250, 0, 0]
    dry = compute.claim_payables(claims, lines, _cfg("dry-run")).sort("claim_core_id")
    assert dry["payable"].to_list() == [12_250, 0, 0]


def test_interest_is_rounded_half_up_on_late_days_beyond_grace() -> None:
    claims = pl.DataFrame(
        {
            "claim_core_id": ["A", "B", "C", "D", "E"],
            "net": [123_456_789, 10_000, 10_000, -5_000, 10_000],
            "outcome": ["paid", "paid", "paid", "paid", "held"],
            "payee_contract_type": ["Contract", "Contract", "Other", "Contract", "Contract"],
            "received_date": [dt.date(2025, 1, 2), dt.date(2025, 5, 31), dt.date(2025, 1, 2),
                              dt.date(2025, 1, 2), dt.date(2025, 1, 2)],
        }
    )  # fmt: skip
    result = transform.add_interest(claims, _cfg()).sort("claim_core_id")
    # A: 2025-01-02 → 2025-07-01 is 180 days, − 30 grace = 150 late days at 4 %:
    #    123456789 × 0.04 × 150 / 365 = 2029426.668… cents → 2029427 (half-up)
    # B: 31 days − 30 = 1 late day: 10000 × 0.04 / 365 = 1.0958… → 1 cent
    # C: no interest row for contract type "Other" → 0; D: net ≤ 0 → 0; E: held → 0
    assert result["interest"].to_list() == [2_029_427, 1, 0, 0, 0]
    custom = transform.add_interest(claims, _cfg(custom_interest_days=0)).sort("claim_core_id")
    # grace 0 instead of 30: A 180 days → 123456789 × 0.04 × 180 / 365 = 2435312.0… → 2435312
    assert custom["interest"].to_list()[0] == 2_435_312


def test_payee_keys_contract_types_and_known_payees() -> None:
    claims = pl.DataFrame(
        {
            "claim_core_id": ["C2", "C1", "C3", "C4"],
            "tax_id": ["111", "111", " ", "222"],
            "npi": ["9", "9", "8", "7"],
            "member_id": ["M1", "M1", "M2", None],
            "contract_type": [None, "Capitation", "Contract", None],
        }
    )
    known = pl.DataFrame(
        {"payee_key": ["222|7"], "payment_center_id": [70], "contract_type": ["Contract"],
         "payment_method": ["EFT"], "mailing_ready": [True]}
    )  # fmt: skip
    got = payees.attach_payees(claims, known, _cfg()).sort("claim_core_id")
    # TaxID|NPI; a blank TaxID means no key. 111|9 is new: it takes the contract type of its
    # smallest ClaimCore_ID that has one (C1: Capitation); 222|7 is known: its own (Contract).
    assert got["payee_key"].to_list() == ["111|9", "111|9", None, "222|7"]
    assert got["payment_center_id"].to_list() == [None, None, None, 70]
    assert got["payee_contract_type"].to_list() == [
        "Capitation",
        "Capitation",
        "Contract",
        "Contract",
    ]
    dmr = payees.attach_payees(claims, known.head(0), _cfg(event_type="DMR")).sort("claim_core_id")
    assert dmr["payee_key"].to_list() == ["M1", "M1", "M2", None]
    assert set(dmr["payee_contract_type"]) == {"Member"}


def test_cycle_payees_are_paid_claims_payees_and_holders_of_an_underpayment() -> None:
    claims = pl.DataFrame(
        {"payee_key": ["K2", "K2", "K3", "K9"], "outcome": ["paid", "paid", "held", "paid"],
         "payment_center_id": [2, 2, 3, None], "payment_method": ["EFT", "EFT", None, None]}
    )  # fmt: skip
    records = pl.DataFrame(
        {"payment_center_id": [4, 5, 2], "type": ["UnderPayment", "OverPayment", "UnderPayment"]}
    )
    known = pl.DataFrame(
        {"payee_key": ["K2", "K3", "K4", "K5"], "payment_center_id": [2, 3, 4, 5],
         "payment_method": ["EFT", "CHECK", "CHECK", "EFT"]}
    )  # fmt: skip
    claims = claims.with_columns(net=pl.lit(0), interest=pl.lit(0), chain_id=pl.lit("A"))
    cycle = ledger.cycle_payees(ledger.claim_sums(claims), records, known)
    # K2 and K9 have paid claims (K9 is new, paid by CHECK); K3 only a held claim: out; K4 holds
    # an UnderPayment: in; K5 only an OverPayment: out; K2 once although it is both.
    assert cycle.rows() == [
        ("K2", 2, "EFT", False),
        ("K4", 4, "CHECK", False),
        ("K9", None, "CHECK", True),
    ]


def test_stats_keys_never_show_a_member_id() -> None:
    assert payee_keys.stats_key("111|9", "Provider") == "111|9"
    shown = payee_keys.stats_key("MEMBER123", "DMR")
    assert shown.startswith("member:")
    assert len(shown) == len("member:") + 16
    assert "MEMBER123" not in shown
    assert (
        shown
        == payee_keys.stats_key("MEMBER123", "DMR")
        != payee_keys.stats_key("MEMBER124", "DMR")
    )


def test_chain_nets_telescope_to_the_last_effective_amount() -> None:
    # one chain H (paid 100.00 before, in paid_history): its replacement R1 now pays 60.00 and a
    # later replacement R2 80.00; R1's net is 60 − 100 = −40.00 and R2's 80 − 60 = +20.00, so the
    # chain's total net is −20.00 = 80.00 − 100.00. Chain V: a void (8) of a claim paid 30.00:
    # net 0 − 30 = −30.00. Chain N: a new claim of 12.34, nothing paid before: +12.34. A held
    # claim moves nothing.
    claims = pl.DataFrame(
        {
            "claim_core_id": ["R1", "R2", "V1", "N1", "X1"],
            "chain_start": [True, False, True, True, True],
            "frequency_code": ["7", "7", "8", "1", "1"],
            "outcome": ["paid", "paid", "paid", "paid", "held"],
            "payable": [6_000, 8_000, 0, 1_234, 999],
            "paid_history": [10_000, 10_000, 3_000, 0, 0],
        }
    )
    nets = transform.add_chain_nets(claims)["net"].to_list()
    assert nets == [-4_000, 2_000, -3_000, 1_234, 0]
    assert sum(nets[:2]) == 8_000 - 10_000
