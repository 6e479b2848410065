"""What would stop the payment outputs, reported by the Dry Run (SQLite and PostgreSQL).

- EFT_BANK_INVALID: an EFT payee paid this cycle whose routing number fails the ABA check, or
  whose account number or type is missing — a Warning in the Dry Run that says the Final Run will
  block, Critical in the Final Run (nothing is paid);
- REMIT_DATA_MISSING (Provider events, Warning): no complete payer for the funding source, a
  payee without name, or a check payee without a whole address.
Sample ids are payee ids (or a new provider's TaxID|NPI), never bank or member numbers. Each case
is also computed by the per-claim reference implementation (`run_both`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

Docs = dict[str, list[dict[str, Any]]]
CODES = ("EFT_BANK_INVALID", "REMIT_DATA_MISSING")


def _finding(document: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((f for f in document["findings"] if f["code"] == code), None)


def _sample_ids(document: dict[str, Any], code: str) -> list[str] | None:
    found = _finding(document, code)
    return None if found is None else list(found["sample_ids"])


def _paid_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.payment_register)).scalar_one())


def _eft_cycle() -> Docs:
    """Six EFT payees, each paid 10.00: 1 sound, 2 routing check digit wrong, 3 routing of 8
    digits, 4 no account number, 5 no account type, 6 savings (sound); 7 is an EFT payee with a
    bad routing number but nothing to be paid (held under the minimum)."""
    d = b.cycle(minimum="5.00")
    npis = [b.npi_with_check_digit(f"12345{n:04d}") for n in range(1, 8)]
    given: list[dict[str, Any]] = [
        {},
        {"BankRoutingNumber": "021000022"},
        {"BankRoutingNumber": "02100002"},
        {"BankAccountNumber": " "},
        {"BankAccountType": None},
        {"BankAccountType": "S", "BankRoutingNumber": "011000015"},
        {"BankRoutingNumber": "123456789"},
    ]
    d["PaymentCenter"] = [
        b.payee(n, b.TIN_A, npis[n - 1], PaymentMethod="EFT", **bank)
        for n, bank in enumerate(given, start=1)
    ]
    d["ClaimFinCore"] = [
        b.claim(f"C{n}", b.line("10.00" if n < 7 else "2.00"), npi=npis[n - 1]) for n in range(1, 8)
    ]
    return d


def test_eft_payees_with_bad_bank_data_warn_then_block(engine: Engine) -> None:
    dry, final = run_both(engine, _eft_cycle(), "PE-1")
    warning = _finding(dry.document, "EFT_BANK_INVALID")
    assert warning is not None
    assert (warning["severity"], warning["count"], warning["sample_ids"]) == (
        "Warning",
        4,
        ["2", "3", "4", "5"],
    )
    assert "Final Run will block" in warning["message"]
    assert dry.exit_code == 0
    assert "021000022" not in str(dry.document)  # no bank numbers in the stats
    critical = _finding(final.document, "EFT_BANK_INVALID")
    assert critical is not None
    assert (critical["severity"], critical["sample_ids"]) == ("Critical", ["2", "3", "4", "5"])
    assert (final.document["status"], final.exit_code) == ("Blocked", 2)
    assert _paid_rows(engine) == 0
    assert _finding(dry.document, "REMIT_DATA_MISSING") is None


def test_sound_eft_and_check_payees_raise_neither_finding(engine: Engine) -> None:
    d = b.cycle()
    d["PaymentCenter"] = [b.payee(1, PaymentMethod="EFT"), b.payee(2, b.TIN_B, b.NPI_B)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00")),
        b.claim("C2", b.line("20.00"), tax=b.TIN_B, npi=b.NPI_B),
        b.claim("C3", b.line("30.00"), tax=b.TIN_C, npi=b.NPI_C),  # new payee: claim's address
    ]
    dry, final = run_both(engine, d, "PE-1")
    for outcome in (dry, final):
        assert not [f for f in outcome.document["findings"] if f["code"] in CODES]
    assert final.document["status"] == "Completed"
    assert _paid_rows(engine) == 3


def test_a_funding_source_without_a_complete_payer_warns_for_every_paid_payee(
    engine: Engine,
) -> None:
    d = b.cycle(minimum="5.00")
    del d["Payer"][0]["EdiContactPhone"]  # no EDI contact number: PER*BL cannot be written
    d["PaymentCenter"] = [b.payee(1), b.payee(2, b.TIN_B, b.NPI_B)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00")),
        b.claim("C2", b.line("2.00"), tax=b.TIN_B, npi=b.NPI_B),  # held: not paid this cycle
        b.claim("C3", b.line("30.00"), tax=b.TIN_C, npi=b.NPI_C),
    ]
    dry, final = run_both(engine, d, "PE-1")
    for outcome in (dry, final):
        found = _finding(outcome.document, "REMIT_DATA_MISSING")
        assert found is not None
        assert (found["severity"], found["count"]) == ("Warning", 2)
    for outcome in (dry, final):  # a payee to be created is named by its TaxID|NPI
        assert _sample_ids(outcome.document, "REMIT_DATA_MISSING") == ["1", b.KEY_C]
    assert final.document["status"] == "Completed"  # a Warning: the money is still paid
    assert _paid_rows(engine) == 2


def test_no_payer_row_at_all_warns(engine: Engine) -> None:
    d = b.cycle()
    d["Payer"] = []
    d["PaymentCenter"] = [b.payee(1)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("10.00"))]
    dry, _final = run_both(engine, d, "PE-1")
    found = _finding(dry.document, "REMIT_DATA_MISSING")
    assert found is not None
    assert found["sample_ids"] == ["1"]


def test_payees_without_name_or_check_address_warn(engine: Engine) -> None:
    d = b.cycle()
    npis = [b.npi_with_check_digit(f"22345{n:04d}") for n in range(1, 6)]
    d["PaymentCenter"] = [
        b.payee(1, b.TIN_A, npis[0], VendorName=None),  # no name
        b.payee(2, b.TIN_A, npis[1], Address={"Line1": "2 Oak Ave", "City": "Springfield"}),
        b.payee(3, b.TIN_A, npis[2], Address=None, PaymentMethod="EFT"),  # EFT: no check mailed
        b.payee(4, b.TIN_A, npis[3]),  # sound
    ]
    d["ClaimFinCore"] = [
        b.claim(f"C{n}", b.line("10.00"), npi=npis[n - 1]) for n in range(1, 5)
    ] + [  # a new payee whose claim gives only a street: its check cannot be mailed
        b.claim("C5", b.line("10.00"), npi=npis[4], BillingProviderAddress="5 Elm St"),
    ]
    dry, final = run_both(engine, d, "PE-1")
    new_key = f"{b.TIN_A}|{npis[4]}"
    found = _finding(dry.document, "REMIT_DATA_MISSING")
    assert found is not None
    assert (found["count"], found["sample_ids"]) == (3, ["1", new_key, "2"])  # sorted as text
    assert _sample_ids(final.document, "REMIT_DATA_MISSING") == ["1", new_key, "2"]


def test_members_get_no_remit_finding_but_eft_bank_checks(engine: Engine) -> None:
    d = b.cycle(event_type="DMR")
    d["Payer"] = []  # no 835 for members: the payer is not needed
    home = {"Line1": "1 Elm St", "City": "Springfield", "State": "IL", "Zip": "62704"}
    d["PaymentCenter"] = [
        b.member(9, "M1", VendorName="Ann Smith", Address=home),
        b.member(10, "M2", PaymentMethod="EFT", BankRoutingNumber="111000026"),
    ]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("70.00"), tax=None, npi=None, member="M1"),
        b.claim("C2", b.line("30.00"), tax=None, npi=None, member="M2"),
    ]
    dry, _final = run_both(engine, d, "PE-1")
    assert _finding(dry.document, "REMIT_DATA_MISSING") is None
    found = _finding(dry.document, "EFT_BANK_INVALID")
    assert found is not None
    assert found["sample_ids"] == ["10"]
    assert "M2" not in str(dry.document)


def test_generated_demo_data_raises_neither_finding(engine: Engine) -> None:
    generate_cycle(engine, claims=400, seed=11, event_id="PE-G")
    dry = run_payment_event(engine, "PE-G", "dry-run")
    assert dry.exit_code == 0
    assert not [f for f in dry.document["findings"] if f["code"] in CODES]


def test_generated_output_defects_raise_both(engine: Engine) -> None:
    generate_cycle(engine, claims=400, seed=11, event_id="PE-G", output_defects=True)
    dry = run_payment_event(engine, "PE-G", "dry-run")
    eft = _finding(dry.document, "EFT_BANK_INVALID")
    remit = _finding(dry.document, "REMIT_DATA_MISSING")
    assert eft is not None
    assert eft["count"] >= 1
    assert remit is not None
    assert remit["count"] == dry.document["counts"]["payees"]["paid"]
