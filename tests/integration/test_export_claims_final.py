"""`export-claims -m final` after a Final Run shows what that run paid, read from its stored
results — the same document the reference computed for the Final Run before it ran (both
databases). Before: it recomputed a new cycle of the claims still held, so QA saw only those."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sqlalchemy import Engine
from tests.golden import builders as b

from paymentprocess.io.load import load_documents
from paymentprocess.service.qa import payment_center_claims
from paymentprocess.service.runs import run_payment_event

EXPORT_FINAL = ("export-claims", "-p", "PE-1", "-m", "final")


def _cycle() -> dict[str, list[dict[str, Any]]]:
    docs = b.cycle(minimum="5.00")
    docs["InterestConfig"] = [b.interest("Contract", "0.04", 30, "2025-01-01", None)]
    docs["PaymentCenter"] = [b.payee(7), b.payee(8, tax=b.TIN_C, npi=b.NPI_C)]
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("200.00"), b.line("15.00", number=2), received="2025-04-01"),
        b.paid_claim("H1", "100.00"),
        b.claim("C2", b.line("60.00"), parent="H1", freq="7"),
        b.claim("N1", b.line("30.00"), tax=b.TIN_B, npi=b.NPI_B),  # a new payee
        b.paid_claim("H3", "80.00", tax=b.TIN_C, npi=b.NPI_C),
        b.claim("V3", parent="H3", freq="8", tax=b.TIN_C, npi=b.NPI_C),  # void: overpayment
        b.claim("AV", parent="NOPE", freq="8"),  # held: missing parent paid
    ]
    docs["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", "20.00", "2025-03-01"),
        b.record(4, 7, "UnderPayment", "2.00", "2025-03-01"),
    ]
    docs["Refund"] = [b.refund("RF1", "H1", "5.00")]
    return docs


def test_export_claims_final_after_the_final_run_shows_what_was_paid(
    engine: Engine, db_uri: str
) -> None:
    load_documents(engine, _cycle())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    planned = payment_center_claims(engine, "PE-1", "final")  # the reference, before paying
    final = run_payment_event(engine, "PE-1", "final")
    assert final.exit_code == 0, final.message
    shown = subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *EXPORT_FINAL],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    paid = json.loads(shown.stdout)
    new = next(p for p in paid if p["PaymentCenter"] and p["PaymentCenter"]["Flag"] == "NEW")
    # the new payee as the run created it (its address as stored, not the claim's text)
    assert new["PaymentCenter"].pop("Address")["Line1"] == "1 Main St"
    for entry in planned:
        if entry["PaymentCenter"] and entry["PaymentCenter"]["Flag"] == "NEW":
            entry["PaymentCenter"].pop("Address")
    assert paid == planned
    by_payee = {p["PaymentCenter_ID"]: p for p in paid}
    assert by_payee[7]["Claims"]["C1"]["PaidClaim"][0]["Outcome"] == "paid"
    assert by_payee[7]["Claims"]["C1"]["PaidClaim"][0]["NetAmount"] == "215.00"
    assert by_payee[7]["Claims"]["H1"]["AdjustClaim"][0]["ClaimCore_ID"] == "C2"
    assert by_payee[7]["PaymentResult"]["refunds_applied"] == "5.00"
    assert new["Claims"]["N1"]["PaidClaim"][0]["NetAmount"] == "30.00"
    paid_total = sum(float(p["PaymentResult"]["net_pay"]) for p in paid if p["PaymentResult"])
    assert f"{paid_total:.2f}" == final.document["totals"]["paid"]
