"""The vectorized engine agrees with the per-claim reference on hand-built cycles (both databases)."""

from __future__ import annotations

from sqlalchemy import Engine
from tests.engine_harness import run_both
from tests.golden import builders as b


def test_original_replacement_void_and_ledger(engine: Engine) -> None:
    docs = b.cycle(minimum="5.00", custom_days=10)
    docs["InterestConfig"] = [
        b.interest("Contract", "0.04125", 30, "2025-01-01", "2025-06-30"),
        b.interest("Contract", "0.05", 30, "2025-07-01", None),
    ]
    docs["PaymentCenter"] = [b.payee(7)]
    docs["ClaimFinCore"] = [
        b.claim(
            "C1",
            b.line("200.00"),
            b.line("50.00", coinsurance="10.00", number=2),
            received="2025-05-01",
        ),
        b.paid_claim("H1", "100.00"),
        b.claim("C2", b.line("60.00"), parent="H1", freq="7"),
        b.paid_claim("H2", "30.00"),
        b.claim("V2", parent="H2", freq="8", received="2025-06-02"),
        b.claim("N1", b.line("3.00"), tax=b.TIN_B, npi=b.NPI_B),
        b.claim("R9", b.line("20.00"), parent="GONE", freq="7"),
    ]
    docs["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", "20.00", "2025-03-01"),
        b.record(2, 7, "OverPayment", "15.00", "2025-02-01"),
    ]
    docs["Refund"] = [b.refund("RF1", "H1", "5.00")]
    _, final = run_both(engine, docs, "PE-1")
    assert final.exit_code == 0
    assert final.document["status"] == "Completed"
