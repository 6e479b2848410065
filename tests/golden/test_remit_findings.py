"""What the 835s will show in a non-obvious way, reported by the Dry Run and the Final Run
(OUTPUTS.md §3.3–§3.4; SQLite and PostgreSQL; none blocks), each named by ClaimCore_ID:

- C1 (payee 101): line 2 allowed 100.00 with a 150.00 deductible (payable floored at 0) →
  REMIT_LINE_CAPPED (Info) beside NEGATIVE_PAYABLE;
- C2 (101): header BilledAmount 120.00, one line billed 100.00 → REMIT_HEADER_MISMATCH;
- C4 (101) paid and replaced in the same event by C5 paid to 102 → REMIT_PAYEE_CHANGED on C5;
  C6, a replacement of C4's chain paid after C5 to 102 as well, is not named (same payee as C5);
- C9 (102) replaces history H9 paid 40.00 to 101 → REMIT_PAYEE_CHANGED on C9;
- C10 (103) replaces history H10, paid 60.00 although its one line pays 50.00 (imported) →
  REMIT_HISTORY_MISMATCH on C10 (its reversal is claim-level only);
- C7 (103): clean, header billed = lines; C8 (103) replaces H8 (paid 60.00 to 103 by its one
  60.00 line) — not named.
Every case is also computed by the per-claim reference implementation (`run_both`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.outputs.gather import read_remit_inputs
from paymentprocess.outputs.remittance import build_remittances


def _cycle() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle()
    d["PaymentCenter"] = [
        b.payee(101, b.TIN_A, b.NPI_A),
        b.payee(102, b.TIN_B, b.NPI_B),
        b.payee(103, b.TIN_C, b.NPI_C),
    ]
    on_b = {"tax": b.TIN_B, "npi": b.NPI_B}
    on_c = {"tax": b.TIN_C, "npi": b.NPI_C}
    history = {"event": "PE-0", "status": "Paid", "received": "2025-01-10"}
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("200.00"), b.line("100.00", "150.00", number=2)),
        b.claim("C2", b.line("100.00"), BilledAmount="120.00"),
        b.claim("C4", b.line("80.00"), received="2025-05-01"),
        b.claim("C5", b.line("90.00"), parent="C4", freq="7", received="2025-05-02", **on_b),
        b.claim("C6", b.line("95.00"), parent="C4", freq="7", received="2025-05-03", **on_b),
        b.claim("C7", b.line("50.00"), BilledAmount="50.00", **on_c),
        b.paid_claim("H8", "60.00", **on_c),
        b.claim("C8", b.line("70.00"), parent="H8", freq="7", **on_c),
        b.paid_claim("H9", "40.00"),
        b.claim("C9", b.line("45.00"), parent="H9", freq="7", **on_b),
        b.claim("H10", b.line("50.00"), paid="60.00", **history, **on_c),
        b.claim("C10", b.line("55.00"), parent="H10", freq="7", **on_c),
    ]
    return d


def _remit_findings(document: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {
        f["code"]: (f["severity"], list(f["sample_ids"]))
        for f in document["findings"]
        if f["code"].startswith("REMIT_")
    }


def test_remit_findings_name_the_claims_and_block_nothing(engine: Engine) -> None:
    dry, final = run_both(engine, _cycle(), "PE-1")  # engine = reference, both runs
    expected = {
        "REMIT_LINE_CAPPED": ("Info", ["C1"]),
        "REMIT_HEADER_MISMATCH": ("Warning", ["C2"]),
        "REMIT_PAYEE_CHANGED": ("Warning", ["C5", "C9"]),
        "REMIT_HISTORY_MISMATCH": ("Warning", ["C10"]),
    }
    for outcome in (dry, final):
        assert outcome.document is not None
        assert _remit_findings(outcome.document) == expected
        codes = [f["code"] for f in outcome.document["findings"]]
        assert "NEGATIVE_PAYABLE" in codes
    assert final.document is not None
    critical = [f["code"] for f in final.document["findings"] if f["severity"] == "Critical"]
    assert critical == []
    assert final.document["status"] == "Completed"


def test_the_findings_say_what_the_remittances_do(engine: Engine) -> None:
    """After the Final Run, the event's remittances (outputs.remittance) put H9's reversal in
    payee 102's 835 although 101 was paid for H9, and reverse H10 claim-level only."""
    run_both(engine, _cycle(), "PE-1")
    with engine.connect() as conn:
        items = build_remittances(read_remit_inputs(conn, "PE-1")).items
    reversals = items.filter(items["kind"] == "reversal").select(
        "payment_center_id", "claim_core_id", "for_claim", "clp04", "claim_level"
    )
    assert sorted(reversals.rows()) == [
        (102, "C4", "C5", -8000, False),  # C4 was paid to 101 in this event: REMIT_PAYEE_CHANGED
        (102, "C5", "C6", -9000, False),
        (102, "H9", "C9", -4000, False),  # H9 was paid to 101: REMIT_PAYEE_CHANGED
        (103, "H10", "C10", -6000, True),  # paid 60.00, lines 50.00: REMIT_HISTORY_MISMATCH
        (103, "H8", "C8", -6000, False),
    ]
