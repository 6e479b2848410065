"""Remittance items and PLB entries (OUTPUTS.md §2, §3.5) on hand-written frames, no database.

Each case writes its arithmetic out; amounts are cents.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import polars as pl
import pytest

from paymentprocess.outputs.remittance import (
    RemitInputs,
    RemittanceIdentityError,
    build_remittances,
)

EVENT = "PE-2"
PROVIDER = 1001
D = date(2026, 1, 15)


def _frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


RESULTS = {
    "claim_core_id": pl.String,
    "payment_center_id": pl.Int64,
    "payable": pl.Int64,
    "net": pl.Int64,
    "interest": pl.Int64,
}
CLAIMS = {
    "claim_core_id": pl.String,
    "parent_claim_core_id": pl.String,
    "frequency_code": pl.String,
    "received_date": pl.Date,
}
HISTORY = {"chain_id": pl.String, "claim_core_id": pl.String, "payable": pl.Int64}
PAYEES = {"payment_center_id": pl.Int64, "payment_center_type": pl.String}
REGISTER = {
    "payment_center_id": pl.Int64,
    "payment_id": pl.String,
    "amount": pl.Int64,
    "method": pl.String,
    "check_number": pl.String,
    "payment_date": pl.Date,
}
RECORDS = {
    "over_and_under_payment_id": pl.Int64,
    "payment_center_id": pl.Int64,
    "payment_event_id": pl.String,
    "type": pl.String,
    "total_amount": pl.Int64,
    "remaining_before": pl.Int64,
    "claim_chain_id": pl.String,
    "fcn": pl.String,
}
APPS = {
    "over_and_under_payment_id": pl.Int64,
    "kind": pl.String,
    "amount": pl.Int64,
    "refund_id": pl.String,
}
PRIOR = {
    "payment_center_id": pl.Int64,
    "payment_event_id": pl.String,
    "trn02": pl.String,
    "forwarded": pl.Boolean,
    "withheld": pl.Boolean,
    "seq": pl.Int64,
}


def _inputs(**parts: list[dict[str, Any]]) -> RemitInputs:
    schemas = {
        "results": RESULTS,
        "claims": CLAIMS,
        "history": HISTORY,
        "payees": PAYEES,
        "register": REGISTER,
        "records": RECORDS,
        "applications": APPS,
        "prior": PRIOR,
    }
    parts.setdefault("payees", [{"payment_center_id": PROVIDER, "payment_center_type": "Provider"}])
    frames = {name: _frame(parts.get(name, []), schema) for name, schema in schemas.items()}
    return RemitInputs(event_id=EVENT, **frames)


def _pay(amount: int, check: str = "1001", method: str = "EFT") -> dict[str, Any]:
    return {
        "payment_center_id": PROVIDER,
        "payment_id": f"{EVENT}:{PROVIDER}",
        "amount": amount,
        "method": method,
        "check_number": check,
        "payment_date": D,
    }


def _claim(cid: str, freq: str, parent: str | None = None, day: int = 1) -> dict[str, Any]:
    return {
        "claim_core_id": cid,
        "parent_claim_core_id": parent,
        "frequency_code": freq,
        "received_date": date(2025, 12, day),
    }


def _result(cid: str, payable: int, net: int, interest: int = 0) -> dict[str, Any]:
    return {
        "claim_core_id": cid,
        "payment_center_id": PROVIDER,
        "payable": payable,
        "net": net,
        "interest": interest,
    }


def _plb(remits: Any) -> list[tuple[str, str | None, int]]:
    return [(r["code"], r["reference"], r["amount"]) for r in remits.plb.iter_rows(named=True)]


def _items(remits: Any) -> list[tuple[str, str, int]]:
    return [(r["kind"], r["claim_core_id"], r["clp04"]) for r in remits.items.iter_rows(named=True)]


def test_worked_example_of_outputs_md() -> None:
    """§3.8: A original pays 72.00 with 1.23 interest; chain B paid 50.00 before (B0, history) and
    its replacement B1 pays 60.00 (net 10.00); an FB-type balance of 30.00 (forwarded by our 835
    of PE-1 under TRN02 1000) is fully offset. 72 + 10 + 1.23 − 30 = 53.23."""
    remits = build_remittances(
        _inputs(
            results=[_result("CA-1", 7200, 7200, 123), _result("CB-1", 6000, 1000)],
            claims=[
                _claim("CA-1", "1", day=1),
                _claim("CB-1", "7", "CB-0", day=2),
                _claim("CB-0", "1", day=1),
            ],
            history=[{"chain_id": "CB-0", "claim_core_id": "CB-0", "payable": 5000}],
            register=[_pay(5323)],
            records=[
                {
                    "over_and_under_payment_id": 7,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": "PE-1",
                    "type": "OverPayment",
                    "total_amount": 3000,
                    "remaining_before": 3000,
                    "claim_chain_id": None,
                    "fcn": None,
                }
            ],
            applications=[
                {
                    "over_and_under_payment_id": 7,
                    "kind": "offset",
                    "amount": 3000,
                    "refund_id": None,
                }
            ],
            prior=[
                {
                    "payment_center_id": PROVIDER,
                    "payment_event_id": "PE-1",
                    "trn02": "1000",
                    "forwarded": True,
                    "withheld": False,
                    "seq": 1,
                }
            ],
        )
    )
    header = remits.headers.row(0, named=True)
    assert (header["bpr04"], header["net_pay"], header["trn02"]) == ("ACH", 5323, "1001")
    # B0 (history) reversed right before its replacement B1; its own lines pay 50.00 = what the
    # chain had paid (6000 − 1000), so the reversal is line by line.
    assert _items(remits) == [
        ("claim", "CA-1", 7200),
        ("reversal", "CB-0", -5000),
        ("claim", "CB-1", 6000),
    ]
    assert remits.items["claim_level"].to_list() == [False, False, False]
    # L6 −1.23 and the whole prior forward balance added back (FB:1000 +30.00); nothing is left to
    # forward. 7200 − 5000 + 6000 − (−123 + 3000) = 5323.
    assert _plb(remits) == [("L6", None, -123), ("FB", "1000", 3000)]


def test_void_makes_a_forward_balance_then_partial_and_full_recovery() -> None:
    """PE-2: a void of a claim that paid 100.00 → net −100.00: new OverPayment 100.00, nothing
    paid, the 835 forwards −100.00 under its own TRN02 (None = allocated with the file)."""
    void = build_remittances(
        _inputs(
            results=[_result("V1", 0, -10000)],
            claims=[_claim("V1", "8", "O1"), _claim("O1", "1")],
            history=[{"chain_id": "O1", "claim_core_id": "O1", "payable": 10000}],
            records=[
                {
                    "over_and_under_payment_id": 9,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": EVENT,
                    "type": "OverPayment",
                    "total_amount": 10000,
                    "remaining_before": 10000,
                    "claim_chain_id": "O1",
                    "fcn": "O1",
                }
            ],
        )
    )
    header = void.headers.row(0, named=True)
    assert (header["bpr04"], header["net_pay"], header["trn02"]) == ("NON", 0, None)
    assert _items(void) == [("reversal", "O1", -10000)]  # a void yields only its reversal
    assert _plb(void) == [("FB", None, -10000)]  # BPR02 = −100 − (−100) = 0

    # PE-3: an original pays 60.00; the FB-type balance (forwarded by PE-2's 835, TRN02 NP7)
    # takes all 60.00: add 100.00 back, forward the 40.00 left under the new 835's TRN02.
    def recovery(claim_paid: int, remaining: int) -> Any:
        taken = min(claim_paid, remaining)
        return build_remittances(
            RemitInputs(
                event_id="PE-3",
                **_parts(
                    results=[_result("N1", claim_paid, claim_paid)],
                    claims=[_claim("N1", "1")],
                    register=[_pay(claim_paid - taken)] if claim_paid > taken else [],
                    records=[
                        {
                            "over_and_under_payment_id": 9,
                            "payment_center_id": PROVIDER,
                            "payment_event_id": EVENT,
                            "type": "OverPayment",
                            "total_amount": 10000,
                            "remaining_before": remaining,
                            "claim_chain_id": "O1",
                            "fcn": "O1",
                        }
                    ],
                    applications=[
                        {
                            "over_and_under_payment_id": 9,
                            "kind": "offset",
                            "amount": taken,
                            "refund_id": None,
                        }
                    ],
                    prior=[
                        {
                            "payment_center_id": PROVIDER,
                            "payment_event_id": EVENT,
                            "trn02": "NP7",
                            "forwarded": True,
                            "withheld": False,
                            "seq": 1,
                        }
                    ],
                ),
            )
        )

    partial = recovery(6000, 10000)
    assert partial.headers["net_pay"].to_list() == [0]
    assert _plb(partial) == [("FB", "NP7", 10000), ("FB", None, -4000)]  # 60 − (100 − 40) = 0
    full = recovery(15000, 4000)
    # 150.00 paid: 40.00 recovered, nothing forwarded: 150 − 40 = 110.
    assert full.headers["net_pay"].to_list() == [11000]
    assert _plb(full) == [("FB", "NP7", 4000)]


def test_legacy_overpayment_recovered_with_wo_and_refund_acknowledged() -> None:
    """A record no 835 of ours forwarded (imported) is recovered with WO under its FCN: offset
    25.00 → WO +25.00; a refund RF1 of 10.00 applied to it: 72 −10.00 and WO +10.00 more."""
    remits = build_remittances(
        _inputs(
            results=[_result("C1", 8000, 8000)],
            claims=[_claim("C1", "1")],
            register=[_pay(5500, method="CHECK", check="7001")],
            records=[
                {
                    "over_and_under_payment_id": 3,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": None,
                    "type": "OverPayment",
                    "total_amount": 5000,
                    "remaining_before": 5000,
                    "claim_chain_id": "H9",
                    "fcn": "H9",
                },
                {
                    "over_and_under_payment_id": 4,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": None,
                    "type": "OverPayment",
                    "total_amount": 1500,
                    "remaining_before": 1500,
                    "claim_chain_id": None,
                    "fcn": None,
                },
            ],
            applications=[
                {
                    "over_and_under_payment_id": 3,
                    "kind": "refund",
                    "amount": 1000,
                    "refund_id": "RF1",
                },
                {
                    "over_and_under_payment_id": 3,
                    "kind": "offset",
                    "amount": 1000,
                    "refund_id": None,
                },
                {
                    "over_and_under_payment_id": 4,
                    "kind": "offset",
                    "amount": 1500,
                    "refund_id": None,
                },
            ],
        )
    )
    assert remits.headers.row(0, named=True)["bpr04"] == "CHK"
    # 8000 − (−1000 + 2000 + 1500) = 5500
    assert _plb(remits) == [("72", "RF1", -1000), ("WO", "H9", 2000), ("WO", "OP4", 1500)]


def test_hold_below_minimum_then_release() -> None:
    """PE-2: 15.00 net below a 25.00 minimum → new UnderPayment; the 835 says H/NON with E3 +15.00.
    PE-3: released with a new 20.00 claim by check: E3 −15.00 under PE-2's TRN02, 35.00 paid."""
    held = build_remittances(
        _inputs(
            results=[_result("C1", 1500, 1500)],
            claims=[_claim("C1", "1")],
            records=[
                {
                    "over_and_under_payment_id": 5,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": EVENT,
                    "type": "UnderPayment",
                    "total_amount": 1500,
                    "remaining_before": 1500,
                    "claim_chain_id": None,
                    "fcn": None,
                }
            ],
        )
    )
    assert held.headers.select("bpr04", "net_pay", "held").row(0) == ("NON", 0, 1500)
    assert _plb(held) == [("E3", None, 1500)]
    released = build_remittances(
        RemitInputs(
            event_id="PE-3",
            **_parts(
                results=[_result("C2", 2000, 2000)],
                claims=[_claim("C2", "1")],
                register=[_pay(3500, method="CHECK", check="7002")],
                records=[
                    {
                        "over_and_under_payment_id": 5,
                        "payment_center_id": PROVIDER,
                        "payment_event_id": EVENT,
                        "type": "UnderPayment",
                        "total_amount": 1500,
                        "remaining_before": 1500,
                        "claim_chain_id": None,
                        "fcn": None,
                    }
                ],
                applications=[
                    {
                        "over_and_under_payment_id": 5,
                        "kind": "carry_in",
                        "amount": 1500,
                        "refund_id": None,
                    }
                ],
                prior=[
                    {
                        "payment_center_id": PROVIDER,
                        "payment_event_id": EVENT,
                        "trn02": "NP8",
                        "forwarded": False,
                        "withheld": True,
                        "seq": 1,
                    }
                ],
            ),
        )
    )
    assert _plb(released) == [("E3", "NP8", -1500)]  # 2000 − (−1500) = 3500
    assert released.headers["net_pay"].to_list() == [3500]


def _parts(**parts: list[dict[str, Any]]) -> dict[str, pl.DataFrame]:
    inputs = _inputs(**parts)
    return {f.name: getattr(inputs, f.name) for f in fields(inputs) if f.name != "event_id"}


def test_pure_rehold_and_members_get_no_remittance() -> None:
    """A payee whose held money is carried in and held again (no claim, refund, offset or payment)
    has nothing to post (R-1); members never get an 835."""
    remits = build_remittances(
        _inputs(
            payees=[
                {"payment_center_id": PROVIDER, "payment_center_type": "Provider"},
                {"payment_center_id": 2001, "payment_center_type": "Member"},
            ],
            results=[{**_result("M1", 4000, 4000), "payment_center_id": 2001}],
            claims=[_claim("M1", "1")],
            register=[{**_pay(4000), "payment_center_id": 2001, "payment_id": f"{EVENT}:2001"}],
            records=[
                {
                    "over_and_under_payment_id": 5,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": "PE-1",
                    "type": "UnderPayment",
                    "total_amount": 1500,
                    "remaining_before": 1500,
                    "claim_chain_id": None,
                    "fcn": None,
                },
                {
                    "over_and_under_payment_id": 6,
                    "payment_center_id": PROVIDER,
                    "payment_event_id": EVENT,
                    "type": "UnderPayment",
                    "total_amount": 1500,
                    "remaining_before": 1500,
                    "claim_chain_id": None,
                    "fcn": None,
                },
            ],
            applications=[
                {
                    "over_and_under_payment_id": 5,
                    "kind": "carry_in",
                    "amount": 1500,
                    "refund_id": None,
                }
            ],
        )
    )
    assert remits.headers.height == 0
    assert remits.items.height == 0
    assert remits.plb.height == 0


def test_replacement_of_an_in_event_original_and_an_imported_history_mismatch() -> None:
    """Chain A: original A1 and replacement A2 in the same event: A2 reverses A1 (its payable,
    40.00). Chain B: history B0 paid 30.00 in all but its own lines pay 45.00 (imported), so the
    reversal of B0 is claim-level only."""
    remits = build_remittances(
        _inputs(
            results=[
                _result("A1", 4000, 4000),
                _result("A2", 5500, 1500),
                _result("B1", 2000, -1000),
            ],
            claims=[
                _claim("A1", "1", day=1),
                _claim("A2", "7", "A1", day=2),
                _claim("B0", "1", day=1),
                _claim("B1", "7", "B0", day=3),
            ],
            history=[{"chain_id": "B0", "claim_core_id": "B0", "payable": 4500}],
            register=[_pay(4500)],
        )
    )
    assert _items(remits) == [
        ("claim", "A1", 4000),
        ("reversal", "A1", -4000),
        ("claim", "A2", 5500),
        ("reversal", "B0", -3000),
        ("claim", "B1", 2000),
    ]
    assert remits.items["claim_level"].to_list() == [False, False, False, True, False]
    assert _plb(remits) == []  # 4000 − 4000 + 5500 − 3000 + 2000 = 4500


def test_an_inconsistent_register_is_refused() -> None:
    """A register amount that the claims and ledger rows do not explain is a bug: refused."""
    with pytest.raises(RemittanceIdentityError, match="payee 1001"):
        build_remittances(
            _inputs(
                results=[_result("C1", 8000, 8000)],
                claims=[_claim("C1", "1")],
                register=[_pay(7999)],
            )
        )
