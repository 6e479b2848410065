"""Two cycles of a small dental plan whose history comes from the legacy system, computed by hand.

The data are written the way the old system wrote them, not the way our generator does: paid
originals with no `ParentClaimCore_ID` (absent, null, blank), a refund the legacy system already
applied (`Status: Applied`, the overpayment's `RemainingAmount` already reduced), a refund with
no state at all. PE-1 is paid on the original database; the database is then exported and loaded
into a fresh one, and PE-2 is paid on both: every exported file and every table a later cycle
reads must be the same on the copy as on the original.

Hand computation (payment date 2025-07-01, Contract interest 5 % with 30 grace days, minimum
payment 25.00; check sequence CheckNumber:FS1 at 7000):

PE-1
- 1001 (EFT): void C1 of H1 (paid 186.00, no ParentClaimCore_ID) −186.00, original C2
  500.00 − 50.00 deductible − 20.00 copay = 430.00 → claims_net 244.00. Refund RF2 (40.00, open,
  for H1) reduces R702 100.00 → 60.00. Offsets oldest first: R702 60.00, R703 184.00 of 300.00
  → net pay 0.00 (R703 keeps 116.00).
- 1002 (CHECK): replacement C3 of H2 (paid 300.00, ParentClaimCore_ID null) 250.00 − 25.00
  = 225.00 → −75.00; original C4 480.00, received 2025-05-01: 61 days − 30 = 31 late days,
  480.00 × 0.05 × 31 / 365 = 2.038… → interest 2.04; claims_net 405.00. RF1 (250.00, Status
  Applied: the legacy system already took R700 from 400.00 to 150.00) is NOT applied again.
  Offset R700 150.00 → net pay 257.04, check 7001.
- 1003 (CHECK): replacement C5 of H3 (paid 120.00, ParentClaimCore_ID "") 150.00 → +30.00;
  carry-in R701 10.00 → 40.00, check 7002. RF3 (20.00, no state: taken as open) finds no
  overpayment of 1003: REFUND_UNAPPLIED.
- Totals: claims_net 679.00, interest 2.04, carried_in 10.00, offsets 394.00, paid 297.04
  (679.00 + 2.04 + 10.00 = 297.04 + 394.00).

PE-2 (payment date 2025-08-01)
- 1001: original C7 200.00 → offset R703 116.00 → pays 84.00 (trace 7003). Had RF2 lost its
  application on the way through export and load, it would take R703 to 76.00 and 1001 would be
  paid 124.00.
- 1002: void C8 of C4 (paid 480.00 by PE-1) −480.00 → new OverPayment 480.00 (id 704).
- Totals: claims_net −280.00, offsets 116.00, new_overpayment 480.00, paid 84.00.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory, load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for

Doc = dict[str, Any]


def _line(allowed: str, **amounts: str) -> Doc:
    return {"LineNumber": 1, "ProcedureCode": "D2740", "AllowedAmount": allowed, **amounts}


def _claim(cid: str, pc: tuple[str, str], event: str, received: str, *lines: Doc, **kw: Any) -> Doc:
    doc: Doc = {
        "ClaimCore_ID": cid,
        "FrequencyCode": "1",
        "PaymentEvent_ID": event,
        "TaxID": pc[0],
        "NPI": pc[1],
        "BenefitPlan_ID": "BP1",
        "ReceivedDate": received,
        "ServiceLines": list(lines),
    }
    doc.update(kw)
    return doc


P1, P2, P3 = (b.TIN_A, b.NPI_A), (b.TIN_B, b.NPI_B), (b.TIN_C, b.NPI_C)


def legacy_documents() -> dict[str, list[Doc]]:
    paid = {"Status": "Paid", "PaidPaymentEvent_ID": "PE-0"}
    claims = [
        # history written by the legacy system: originals without a usable parent id
        _claim("H1", P1, "PE-0", "2025-01-05", _line("186.00"), PaidAmount="186.00", **paid),
        _claim(
            "H2",
            P2,
            "PE-0",
            "2025-01-06",
            _line("300.00"),
            PaidAmount=300,
            ParentClaimCore_ID=None,
            **paid,
        ),
        _claim(
            "H3",
            P3,
            "PE-0",
            "2025-01-07",
            _line("120.00"),
            PaidAmount="120.00",
            ParentClaimCore_ID="",
            **paid,
        ),
        # PE-1
        _claim("C1", P1, "PE-1", "2025-06-20", FrequencyCode="8", ParentClaimCore_ID="H1"),
        _claim(
            "C2",
            P1,
            "PE-1",
            "2025-06-20",
            _line("500.00", DeductibleAmount="50.00", CopayAmount="20.00"),
        ),
        _claim(
            "C3",
            P2,
            "PE-1",
            "2025-06-20",
            _line("250.00", CoinsuranceAmount="25.00"),
            FrequencyCode="7",
            ParentClaimCore_ID="H2",
        ),
        _claim("C4", P2, "PE-1", "2025-05-01", _line("480.00")),
        _claim(
            "C5",
            P3,
            "PE-1",
            "2025-06-20",
            _line("150.00"),
            FrequencyCode="7",
            ParentClaimCore_ID="H3",
        ),
        # PE-2
        _claim("C7", P1, "PE-2", "2025-07-20", _line("200.00")),
        _claim("C8", P2, "PE-2", "2025-07-21", FrequencyCode="8", ParentClaimCore_ID="C4"),
    ]
    event = {
        "PaymentEvent_ID": "PE-1",
        "Business_ID": "B1",
        "FundingSource_ID": "FS1",
        "PaymentDueDate": "2025-07-01",
        "PaymentEventType": "Provider",
        "Stage": "New",
    }
    return {
        "PaymentEvent": [
            {**event, "PaymentEvent_ID": "PE-0", "PaymentDueDate": "2025-02-01", "Stage": "Final"},
            event,
            {**event, "PaymentEvent_ID": "PE-2", "PaymentDueDate": "2025-08-01"},
        ],
        "Business": [{"Business_ID": "B1", "Name": "Smile Dental Plan"}],
        "FundingSource": [
            {"FundingSource_ID": "FS1", "Name": "Claims account", "MinimumPayment": "25.00"}
        ],
        "InterestConfig": [b.interest("Contract", "0.05", 30, "2025-01-01")],
        "BenefitPlan": [{"BenefitPlan_ID": "BP1", "Name": "Dental PPO"}],
        "ServiceCode": [{"ServiceCode": "D2740", "Description": "Crown"}],
        "PaymentCenter": [
            b.payee(1001, *P1, PaymentMethod="EFT"),
            b.payee(1002, *P2),
            b.payee(1003, *P3),
        ],
        "ClaimFinCore": claims,
        "OverAndUnderPayment": [
            b.record(700, 1002, "OverPayment", "150.00", "2025-01-15", TotalAmount="400.00"),
            b.record(701, 1003, "UnderPayment", "10.00", "2025-02-01"),
            b.record(702, 1001, "OverPayment", "100.00", "2025-03-01"),
            b.record(703, 1001, "OverPayment", "300.00", "2025-05-20"),
        ],
        "Refund": [
            {**b.refund("RF1", "H2", "250.00", "2025-01-20"), "Status": "Applied"},
            {**b.refund("RF2", "H1", "40.00", "2025-06-10"), "Status": "Open"},
            b.refund("RF3", "H3", "20.00", "2025-06-11"),
        ],
        "SequenceNumbers": [
            {"Name": "PaymentCenter", "Value": 1003},
            {"Name": "OverAndUnderPayment", "Value": 703},
            {"Name": "CheckNumber:FS1", "Value": 7000},
        ],
    }


#        payee  claims_net  interest  carried_in  offsets  new_overpayment  held  net_pay
PE1_PAYEES = [
    (1001, "244.00", "0.00", "0.00", "244.00", "0.00", "0.00", "0.00"),
    (1002, "405.00", "2.04", "0.00", "150.00", "0.00", "0.00", "257.04"),
    (1003, "30.00", "0.00", "10.00", "0.00", "0.00", "0.00", "40.00"),
]
PE1_TOTALS = {
    "claims_net": "679.00",
    "interest": "2.04",
    "carried_in": "10.00",
    "offsets": "394.00",
    "new_overpayment": "0.00",
    "held": "0.00",
    "paid": "297.04",
}
PE2_PAYEES = [
    (1001, "200.00", "0.00", "0.00", "116.00", "0.00", "0.00", "84.00"),
    (1002, "-480.00", "0.00", "0.00", "0.00", "480.00", "0.00", "0.00"),
]
PE2_TOTALS = {
    "claims_net": "-280.00",
    "interest": "0.00",
    "carried_in": "0.00",
    "offsets": "116.00",
    "new_overpayment": "480.00",
    "held": "0.00",
    "paid": "84.00",
}
FIELDS = ("claims_net", "interest", "carried_in", "offsets", "new_overpayment", "held", "net_pay")


def _pay(engine: Engine, event: str) -> dict[str, Any]:
    dry = run_payment_event(engine, event, "dry-run")
    assert dry.exit_code == 0, dry.message
    final = run_payment_event(engine, event, "final")
    assert final.exit_code == 0, final.message
    return final.document


def _payee_rows(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(p["payment_center_id"], *(p[f] for f in FIELDS)) for p in document["payees"]]


def _codes(document: dict[str, Any]) -> dict[str, list[str]]:
    return {
        f["code"]: f["sample_ids"] for f in document["findings"] if f["code"] != "FREQUENCY_COUNTS"
    }


def _register(engine: Engine) -> list[tuple[Any, ...]]:
    r = t.payment_register
    query = select(
        r.c.payment_event_id, r.c.payment_center_id, r.c.amount, r.c.method, r.c.check_number
    )
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(query))


def test_legacy_history_pays_what_is_owed(engine: Engine) -> None:
    notes: list[str] = []
    load_documents(engine, legacy_documents(), notes=notes)
    assert len(notes) == 1
    assert "RF3" in notes[0]
    document = _pay(engine, "PE-1")
    assert document["totals"] == PE1_TOTALS
    assert _payee_rows(document) == PE1_PAYEES
    # the legacy data names no Payer: the 835s of the payees paid would lack it (a Warning)
    assert _codes(document) == {"REMIT_DATA_MISSING": ["1002", "1003"], "REFUND_UNAPPLIED": ["RF3"]}
    assert _register(engine) == [
        ("PE-1", 1002, 25704, "CHECK", "7001"),
        ("PE-1", 1003, 4000, "CHECK", "7002"),
    ]


def _comparable(directory: Path) -> dict[str, str]:
    """Every exported file; run documents without what only the clock decides."""
    files = {p.name: p.read_text() for p in sorted(directory.glob("*.json"))}
    runs = json.loads(files.pop("PaymentEventStats.json"))
    for run in runs:
        for moment in ("started_at", "finished_at", "timings_ms"):
            run.pop(moment, None)
    files["PaymentEventStats.json"] = json.dumps(runs, sort_keys=True)
    return files


def _tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The tables a later cycle reads, row for row (auto-numbered ids left out)."""
    wanted = {
        t.payment_center: None,
        t.over_and_under_payment: None,
        t.over_and_under_payment_application: "application_id",
        t.refund: None,
        t.payment_register: None,
        t.sequence_numbers: None,
        t.payment_event: "updated_at",
    }
    out = {}
    with engine.connect() as conn:
        for table, skip in wanted.items():
            columns = [c for c in table.columns if c.name not in {skip, "created_at"}]
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


@contextlib.contextmanager
def _copy_through_export(
    engine: Engine, copy_db_uri: str, directory: Path
) -> Iterator[tuple[Engine, dict[str, int]]]:
    """Export `engine`'s database to `directory` and load it into the empty copy database."""
    export_directory(engine, directory)
    copy_engine = create_engine_for(copy_db_uri)
    try:
        yield copy_engine, load_directory(copy_engine, directory)
    finally:
        copy_engine.dispose()


def test_export_then_load_is_a_round_trip_for_the_next_cycle(
    engine: Engine, copy_db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, legacy_documents())
    _pay(engine, "PE-1")
    with _copy_through_export(engine, copy_db_uri, tmp_path / "after-pe1") as (copy_engine, counts):
        assert counts["PaymentEventStats"] == 2
        assert counts["PaymentRegister"] == 2
        assert _tables(copy_engine) == _tables(engine)  # the state PE-2 starts from
        for db in (engine, copy_engine):
            document = _pay(db, "PE-2")
            assert document["totals"] == PE2_TOTALS
            assert _payee_rows(document) == PE2_PAYEES
        assert _tables(copy_engine) == _tables(engine)
        assert _register(copy_engine)[-1] == ("PE-2", 1001, 8400, "EFT", "7003")
        export_directory(engine, tmp_path / "original")
        export_directory(copy_engine, tmp_path / "copy")
        assert _comparable(tmp_path / "copy") == _comparable(tmp_path / "original")


def test_engine_and_reference_agree_on_the_legacy_documents(engine: Engine) -> None:
    # the per-claim reference reads the legacy documents as they are; the engine reads them loaded
    dry, final = run_both(engine, legacy_documents(), "PE-1")
    assert final.document["totals"] == PE1_TOTALS
    assert dry.exit_code == 0


def test_an_event_exported_after_its_dry_run_is_paid_the_same_on_the_copy(
    engine: Engine, copy_db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, legacy_documents())
    dry = run_payment_event(engine, "PE-1", "dry-run")
    assert dry.exit_code == 0, dry.message
    with _copy_through_export(engine, copy_db_uri, tmp_path / "after-dry-run") as (copy_engine, _):
        # the Dry Run's fingerprint came along: no second Dry Run needed on the copy
        for db in (copy_engine, engine):
            final = run_payment_event(db, "PE-1", "final")
            assert final.exit_code == 0, final.message
            assert final.document["totals"] == PE1_TOTALS
        assert _tables(copy_engine) == _tables(engine)
