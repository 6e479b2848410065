"""A hand-written mongoexport of a small dental plan loads as it is, on both databases.

`tests/fixtures/legacy/relaxed` is the plan's old collections as `mongoexport --jsonFormat=relaxed`
writes them (`{"$date": "2026-09-25T00:00:00Z"}`, `{"$oid": ...}` ids, doubles such as `410.0`),
`tests/fixtures/legacy/canonical` the same documents as `--jsonFormat=canonical` writes them
(`{"$numberDouble": "410.0"}`, `{"$numberInt": "7"}`, `{"$numberLong": ...}`, `{"$date":
{"$numberLong": ...}}`); some files are JSON Lines, some `--jsonArray`, some `--pretty`. Between
them they hold every legacy shape of issue 10 items 6 and 9-14: dashed and spaced TINs, an NPI
with dashes, BillingProviderAddress as text and as an object (with an unknown member), money as
doubles, the stage names `Completed` and `Open`, SequenceNumbers in MongoDB's counters shape (with
`$numberInt` and `$numberLong` seq) and with a text Value, whole numbers and US dates as text, and
the files `OverAndUnderPayments.json`, `Refunds.json` and (canonical) `paymentcenter.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text, update
from tests.db_snapshot import everything
from tests.reliability.harness import empty_audit_log

from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import is_sqlite

LEGACY = Path(__file__).parents[1] / "fixtures" / "legacy"
EVENT = "PE-2026-09"


def fresh(engine: Engine) -> None:
    """Empty every table and restart the auto-numbered ids, as in a new database."""
    names = [tbl.name for tbl in t.metadata.sorted_tables if tbl.name != "schema_version"]
    with engine.begin() as conn:
        if is_sqlite(conn):
            for name in reversed(names):
                if name == t.audit_log.name:
                    empty_audit_log(conn)  # append-only: its triggers refuse DELETE
                else:
                    conn.execute(text(f'DELETE FROM "{name}"'))
            if conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))
        else:
            quoted = ", ".join(f'"{n}"' for n in names)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY"))


def _one(engine: Engine, table: t.Table, **where: Any) -> dict[str, Any]:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    with engine.connect() as conn:
        return dict(conn.execute(query).mappings().one())


def test_relaxed_and_canonical_exports_load_to_identical_rows(engine: Engine) -> None:
    notes: list[str] = []
    load_directory(engine, LEGACY / "relaxed", notes=notes)
    relaxed = everything(engine)
    assert sum(len(rows) for rows in relaxed.values()) > 40
    fresh(engine)
    load_directory(engine, LEGACY / "canonical")
    assert everything(engine) == relaxed


def test_the_legacy_shapes_are_stored_as_the_product_means_them(engine: Engine) -> None:
    load_directory(engine, LEGACY / "canonical")
    pc = t.payment_center
    lakeside = _one(engine, pc, payment_center_id=1001)
    assert (lakeside["tax_id"], lakeside["payee_key"]) == ("362514789", "362514789|1234567893")
    assert lakeside["address_line2"] == "Suite 200"
    oak_park = _one(engine, pc, payment_center_id=1004)  # "PaymentCenter_ID": "1004"
    assert (oak_park["tax_id"], oak_park["payment_method"]) == ("363456789", "CHECK")
    c = t.claim_fin_core
    replacement = _one(engine, c, claim_core_id="C-2002")
    assert (replacement["tax_id"], replacement["npi"]) == ("362514789", "1234567893")
    parts = [f"billing_provider_address_{p}" for p in ("line1", "line2", "city", "state", "zip")]
    harbor = _one(engine, c, claim_core_id="C-2005")  # an object, with an unknown member
    assert harbor["billing_provider_address"] is None
    assert [harbor[p] for p in parts] == ["88 Harbor Rd", None, "Evanston", "IL", "60202"]
    kept = harbor["extra"] if isinstance(harbor["extra"], dict) else json.loads(harbor["extra"])
    assert kept["BillingProviderAddress"] == {"Attention": "Billing office"}
    skokie = _one(engine, c, claim_core_id="C-2006")  # text: kept, and split
    assert skokie["billing_provider_address"] == "12 Elm St, Suite 3, Skokie, IL 60077"
    assert [skokie[p] for p in parts] == ["12 Elm St", "Suite 3", "Skokie", "IL", "60077"]
    assert str(_one(engine, c, claim_core_id="C-2001")["received_date"]) == "2026-08-03"
    assert str(_one(engine, c, claim_core_id="C-2004")["received_date"]) == "2026-08-14"
    line = _one(engine, t.service_line, claim_core_id="C-2001", line_number=2)
    assert (line["billed_amount"], line["allowed_amount"], line["copay_amount"]) == (
        9550,
        8000,
        1000,
    )
    assert _one(engine, t.service_line, claim_core_id="C-2007")["line_number"] == 2
    stages = {
        e: _one(engine, t.payment_event, payment_event_id=e)["stage"] for e in ("PE-2026-06", EVENT)
    }
    assert stages == {"PE-2026-06": "Final", EVENT: "New"}
    with engine.connect() as conn:
        sequences = dict(
            conn.execute(select(t.sequence_numbers.c.name, t.sequence_numbers.c.value)).all()
        )
        ledger = conn.execute(
            select(t.over_and_under_payment.c.over_and_under_payment_id)
        ).scalars()
        assert sorted(ledger) == [501, 502]  # from OverAndUnderPayments.json
    assert sequences == {
        "PaymentCenter": 1004,
        "OverAndUnderPayment": 502,
        "CheckNumber:FS-LDP-01": 7000,
    }
    cms = _one(engine, t.interest_config, contract_type="CMS")
    assert (str(cms["effective_from"]), cms["annual_rate_ppm"]) == ("2026-01-01", 50000)


def test_the_cycle_pays_existing_payees_as_old_and_new_payees_get_their_address(
    engine: Engine,
) -> None:
    load_directory(engine, LEGACY / "relaxed")
    dry = run_payment_event(engine, EVENT, "dry-run")
    assert dry.document, dry.message
    keys = {p.get("key") for p in dry.document["payees"] if p["payment_center_id"] is None}
    # "36-2514789" (payee 1001) and "362514789" / "36 1234567" on claims are the same payees:
    # only the two providers without a PaymentCenter are new.
    assert keys == {"367654321|1659874329", "369988776|1987654328"}
    assert dry.document["counts"]["payees"]["old"] == 3
    _give_the_legacy_eft_payee_its_account_type(engine, dry.document)
    final = run_payment_event(engine, EVENT, "final")
    assert final.document, final.message
    assert final.document["status"] == "Completed", final.document["findings"]
    with engine.connect() as conn:
        created = conn.execute(
            select(
                t.payment_center.c.payee_key,
                t.payment_center.c.address_line1,
                t.payment_center.c.address_line2,
                t.payment_center.c.address_city,
                t.payment_center.c.address_state,
                t.payment_center.c.address_zip,
            )
            .where(t.payment_center.c.created_payment_event_id == EVENT)
            .order_by(t.payment_center.c.payee_key)
        ).all()
    assert [tuple(r) for r in created] == [
        ("367654321|1659874329", "88 Harbor Rd", None, "Evanston", "IL", "60202"),
        ("369988776|1987654328", "12 Elm St", "Suite 3", "Skokie", "IL", "60077"),
    ]


def _give_the_legacy_eft_payee_its_account_type(engine: Engine, dry: dict[str, object]) -> None:
    """The old export has no BankAccountType: the Dry Run warns that the Final Run would block
    (EFT_BANK_INVALID for EFT payee 1001), and the payment team sets it (checking)."""
    findings = dry["findings"]
    assert isinstance(findings, list)
    (eft,) = [f for f in findings if f["code"] == "EFT_BANK_INVALID"]
    assert (eft["severity"], eft["sample_ids"]) == ("Warning", ["1001"])
    with engine.begin() as conn:
        conn.execute(
            update(t.payment_center)
            .where(t.payment_center.c.payment_center_id == 1001)
            .values(bank_account_type="C")
        )


def _files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.json"))}


def test_export_load_export_of_the_legacy_data_is_identical(engine: Engine, tmp_path: Path) -> None:
    load_directory(engine, LEGACY / "relaxed")
    export_directory(engine, tmp_path / "first")
    fresh(engine)
    load_directory(engine, tmp_path / "first")
    export_directory(engine, tmp_path / "second")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first == second
    claims = {d["ClaimCore_ID"]: d for d in json.loads(first["ClaimFinCore.json"])}
    assert claims["C-2006"]["BillingProviderAddress"] == "12 Elm St, Suite 3, Skokie, IL 60077"
    assert claims["C-2005"]["BillingProviderAddress"] == {
        "Line1": "88 Harbor Rd",
        "Line2": None,
        "City": "Evanston",
        "State": "IL",
        "Zip": "60202",
        "Attention": "Billing office",
    }
    sequences = json.loads(first["SequenceNumbers.json"])
    assert {"Name": "PaymentCenter", "Value": 1004} in sequences  # exported as {Name, Value}


def test_the_legacy_cycle_pays_what_was_computed_by_hand(engine: Engine) -> None:
    """PE-2026-09, due 2026-09-25, grace 30 days (CustomInterestDays), minimum 25.00:

    - 1001 (Contract 4.5 %): C-2001 45.00 + (80.00 − 10.00) = 115.00, 23 days late → 0.33;
      C-2002 replaces H-1001 (paid 410.00) with 450.00: +40.00, 16 days → 0.08. Pays 155.41 (EFT).
    - 1002 (CMS 5 %): C-2003 voids H-1002 (paid 180.00): −180.00; C-2004 replaces it with
      80.00 + (130.00 − 26.00) = 184.00, 12 days → 0.30. Available 4.30; refund RF-0801 (20.00)
      first takes OverPayment 501 from 50.00 to 30.00, which then offsets all 4.30: pays nothing.
    - 1004: C-2007 held (PX-HOLD); C-2008 72.50 − 12.50 = 60.00 (not late) + UnderPayment 502
      carried in 12.50 = 72.50 (check).
    - new 367654321|1659874329 (claim CMS): 48.00 + (92.00 − 20.00) = 120.00, 37 days → 0.61.
    - new 369988776|1987654328 (Contract): 140.25, not late.
    Totals: claims_net 479.25, interest 1.32, carried_in 12.50, offsets 4.30, paid 488.77.
    """
    load_directory(engine, LEGACY / "canonical")
    dry = run_payment_event(engine, EVENT, "dry-run")
    _give_the_legacy_eft_payee_its_account_type(engine, dry.document)
    final = run_payment_event(engine, EVENT, "final")
    assert final.document["totals"] == {
        "claims_net": "479.25",
        "interest": "1.32",
        "carried_in": "12.50",
        "offsets": "4.30",
        "new_overpayment": "0.00",
        "held": "0.00",
        "paid": "488.77",
    }
    paid = {p["payment_center_id"]: p["net_pay"] for p in final.document["payees"]}
    assert paid == {1001: "155.41", 1002: "0.00", 1004: "72.50", 1005: "120.61", 1006: "140.25"}
    with engine.connect() as conn:
        register = conn.execute(
            select(
                t.payment_register.c.payment_center_id,
                t.payment_register.c.amount,
                t.payment_register.c.method,
                t.payment_register.c.check_number,
            ).order_by(t.payment_register.c.check_number)
        ).all()
    assert [tuple(r) for r in register] == [
        (1001, 15541, "EFT", "7001"),
        (1004, 7250, "CHECK", "7002"),
        (1005, 12061, "CHECK", "7003"),
        (1006, 14025, "CHECK", "7004"),
    ]
