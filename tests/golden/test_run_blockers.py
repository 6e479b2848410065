"""What a Dry Run must say because the Final Run would block, on SQLite and PostgreSQL.

- a funding source whose check sequence is named otherwise (`CheckNumber_FS-CHASE-01`) has no
  `CheckNumber:<FS>` sequence: SEQUENCE_MISSING, Critical in both runs (checks are physical
  numbers; a run never starts them from 1 on its own);
- SEQUENCE_MISMATCH is Critical in both runs (the Dry Run ends CompletedWithErrors, exit 2);
- a member (DMR) to be paid by check with no name or address: PAYEE_ADDRESS_MISSING, a Warning in
  the Dry Run that says the Final Run will block, Critical in the Final Run.
Each case is also computed by the per-claim reference implementation (`run_both`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.storage import tables as t

Docs = dict[str, list[dict[str, Any]]]


def _finding(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in document["findings"] if f["code"] == code)


def _paid_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.payment_register)).scalar_one())


def test_a_check_sequence_under_another_name_blocks_both_runs(engine: Engine) -> None:
    d = b.cycle()
    d["FundingSource"][0]["FundingSource_ID"] = "FS-CHASE-01"
    d["PaymentEvent"][0]["FundingSource_ID"] = "FS-CHASE-01"
    d["SequenceNumbers"][2] = {"Name": "CheckNumber_FS-CHASE-01", "Value": 7000}
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("45.00"))]
    dry, final = run_both(engine, d, "PE-1")
    for outcome in (dry, final):
        found = _finding(outcome.document, "SEQUENCE_MISSING")
        assert (found["severity"], found["sample_ids"]) == ("Critical", ["CheckNumber:FS-CHASE-01"])
        assert outcome.exit_code == 2
    assert "Final Run will block" in _finding(dry.document, "SEQUENCE_MISSING")["message"]
    assert (dry.document["status"], final.document["status"]) == ("CompletedWithErrors", "Blocked")
    assert _paid_rows(engine) == 0


def test_a_sequence_behind_its_ids_is_critical_in_the_dry_run_too(engine: Engine) -> None:
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(7), b.payee(600, b.TIN_B, b.NPI_B)]  # PaymentCenter seq is 500
    d["ClaimFinCore"] = [b.claim("C1", b.line("45.00"))]
    dry, final = run_both(engine, d, "PE-1")
    assert _finding(dry.document, "SEQUENCE_MISMATCH")["severity"] == "Critical"
    assert (dry.exit_code, dry.document["status"]) == (2, "CompletedWithErrors")
    assert final.document["status"] == "Blocked"


def _dmr(member: dict[str, Any]) -> Docs:
    d = b.cycle(event_type="DMR")
    d["PaymentCenter"] = [member]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("70.00"), tax=None, npi=None, member="M1"),
        b.claim("C2", b.line("30.00"), tax=None, npi=None, member="M2"),  # a new member
    ]
    return d


def test_a_member_paid_by_check_needs_a_name_and_an_address(engine: Engine) -> None:
    # existing member 9 has a name but no address; new member M2 has neither
    dry, final = run_both(engine, _dmr(b.member(9, "M1", VendorName="Ann Smith")), "PE-1")
    warning = _finding(dry.document, "PAYEE_ADDRESS_MISSING")
    assert (warning["severity"], warning["count"], dry.exit_code) == ("Warning", 2, 0)
    assert "Final Run will block" in warning["message"]
    assert warning["sample_ids"][0] == "9"
    assert warning["sample_ids"][1].startswith("member:")
    assert "M2" not in str(dry.document)  # member ids are PHI: pseudonyms only
    critical = _finding(final.document, "PAYEE_ADDRESS_MISSING")
    assert (critical["severity"], final.document["status"]) == ("Critical", "Blocked")
    assert _paid_rows(engine) == 0


def test_a_member_with_a_whole_address_or_paid_by_eft_is_paid(engine: Engine) -> None:
    home = {"Line1": "1 Elm St", "City": "Springfield", "State": "IL", "Zip": "62704"}
    d = _dmr(b.member(9, "M1", VendorName="Ann Smith", Address=home))
    d["ClaimFinCore"].pop()  # no new member this time
    d["PaymentCenter"].append(b.member(10, "M3", PaymentMethod="EFT"))  # EFT: nothing to mail
    d["ClaimFinCore"].append(b.claim("C3", b.line("20.00"), tax=None, npi=None, member="M3"))
    _dry, final = run_both(engine, d, "PE-1")
    assert all(f["code"] != "PAYEE_ADDRESS_MISSING" for f in final.document["findings"])
    assert final.document["totals"]["paid"] == "90.00"
    assert _paid_rows(engine) == 2
