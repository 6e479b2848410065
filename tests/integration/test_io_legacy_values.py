"""Legacy values on every input path (issue 10 items 6, 9-14), each on SQLite and PostgreSQL.

Identifiers normalised on load, intake and query; addresses as object or text; money doubles
(refused when they are float artifacts, or rounded with `--round-money-doubles`); the stage alias
table and PAYMENT_STAGE_ALIASES; counters-shape sequences; whole numbers and US dates as text;
alternate, unknown and doubled collection file names; many problems summarised.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select
from tests.golden import builders as b
from tests.integration.test_api_support import api_client, claim, line
from typer.testing import CliRunner

from paymentprocess.cli import cmd_io
from paymentprocess.cli import main as cli_main
from paymentprocess.errors import InputError
from paymentprocess.io.load import LoadOptions, load_directory, load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_io.register(app)
    return app


def _cli(app: typer.Typer, db_uri: str, *args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db-uri", db_uri, *args], env=env or None)
    return result.exit_code, result.output


def _refused(engine: Engine, documents: dict[str, list[Any]], **options: Any) -> list[str]:
    before = _rows(engine, t.payment_center) + _rows(engine, t.claim_fin_core)
    with pytest.raises(InputError) as caught:
        load_documents(engine, documents, options=LoadOptions(**options))
    assert _rows(engine, t.payment_center) + _rows(engine, t.claim_fin_core) == before
    return [str(p) for p in caught.value.problems]


def _rows(engine: Engine, table: t.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _column(engine: Engine, column: Any, **where: Any) -> Any:
    table = column.table
    with engine.connect() as conn:
        query = select(column).where(*(table.c[k] == v for k, v in where.items()))
        return conn.execute(query).scalar_one()


def _write(directory: Path, files: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, docs in files.items():
        text = docs if isinstance(docs, str) else "".join(json.dumps(d) + "\n" for d in docs)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


# --- item 6: identifiers -------------------------------------------------------------------------


def test_a_dashed_tin_in_payment_center_is_the_payee_of_plain_tin_claims(engine: Engine) -> None:
    docs = b.cycle()
    docs["PaymentCenter"] = [b.payee(7, tax="11-1111111", npi="1234-567-893")]
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("100.00"), tax="111111111"),
        b.claim("C2", b.line("50.00"), tax="11 1111111", npi="1234567893"),
    ]
    load_documents(engine, docs)
    assert _column(engine, t.payment_center.c.payee_key, payment_center_id=7) == b.KEY_A
    assert _column(engine, t.claim_fin_core.c.tax_id, claim_core_id="C2") == b.TIN_A
    dry = run_payment_event(engine, "PE-1", "dry-run")
    assert dry.document["counts"]["payees"] == {**dry.document["counts"]["payees"], "new": 0}
    assert [p["payment_center_id"] for p in dry.document["payees"]] == [7]


def test_a_payee_key_repeated_after_normalising_is_refused(engine: Engine) -> None:
    twins = [b.payee(7, tax="11-1111111"), b.payee(8, tax="111111111")]
    [problem] = _refused(engine, {"PaymentCenter": twins})
    assert problem.startswith("PaymentCenter index 1: payee (PaymentCenterType, TaxID|NPI")
    assert f"duplicate 'Provider' / '{b.KEY_A}' (also at index 0)" in problem
    load_documents(engine, {"PaymentCenter": [twins[1]]})
    with pytest.raises(InputError, match="is already in the database"):
        load_documents(engine, {"PaymentCenter": [b.payee(9, tax="11.111.1111")]})


def test_a_dashed_payee_key_in_inclusion_criteria_names_the_payee(engine: Engine) -> None:
    docs = b.cycle(criteria={"ExcludePaymentCenters": ["11-1111111|1234-567-893"]})
    docs["ClaimFinCore"] = [b.claim("C1", b.line("100.00")), b.claim("C2", b.line("5.00"),
                            tax=b.TIN_B, npi=b.NPI_B)]  # fmt: skip
    load_documents(engine, docs)
    dry = run_payment_event(engine, "PE-1", "dry-run")
    assert dry.document["counts"]["by_outcome"]["excluded"] == 1
    assert [p.get("key") for p in dry.document["payees"]] == [b.KEY_B]


def test_letters_in_a_tin_are_kept_so_the_runs_flag_them(engine: Engine) -> None:
    docs = b.cycle()
    docs["ClaimFinCore"] = [b.claim("C1", b.line("100.00"), tax="11-11X1111")]
    load_documents(engine, docs)
    assert _column(engine, t.claim_fin_core.c.tax_id, claim_core_id="C1") == "1111X1111"
    dry = run_payment_event(engine, "PE-1", "dry-run")
    codes = {f["code"]: f["sample_ids"] for f in dry.document["findings"]}
    assert codes["INVALID_TIN"] == ["C1"]


def test_intake_and_query_normalise_tin_and_npi_like_load(db_uri: str, engine: Engine) -> None:
    body = claim(line(provider_npi="1497-775-530"), provider_tin="36 2514789")
    with api_client(db_uri, engine=engine) as client:
        resp = client.post("/claims", json=body)
        assert resp.status_code == 201, resp.text
        assert (resp.json()["provider_tin"], resp.json()["provider_npi"]) == (
            "362514789",
            "1497775530",
        )
        found = client.get("/claims", params={"provider_tin": "36-2514789"})
        assert found.status_code == 200, found.text
        assert found.json()["total"] == 1
        bad = client.post("/claims", json=claim(line(provider_npi="1497-775-53X")))
        assert bad.status_code == 422
        assert "provider_npi" in bad.text


# --- item 9: addresses ---------------------------------------------------------------------------


def test_billing_provider_address_as_object_or_text(engine: Engine) -> None:
    address = {"Line1": "88 Harbor Rd", "City": "Evanston", "State": "IL", "Zip": "60202"}
    docs = b.cycle()
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00"), tax=b.TIN_B, npi=b.NPI_B, BillingProviderAddress=address),
        b.claim("C2", b.line("10.00"), tax=b.TIN_C, npi=b.NPI_C,
                BillingProviderAddress="12 Elm St, Suite 3, Skokie, il 60077"),
        b.claim("C3", b.line("10.00"), BillingProviderAddress="somewhere near the lake"),
    ]  # fmt: skip
    docs["PaymentCenter"] = [
        b.payee(7, Address={"Line1": "1 Main St", "Line2": "Floor 2", "City": "X", "Zip": "1"})
    ]
    load_documents(engine, docs)
    c = t.claim_fin_core
    assert _column(engine, c.c.billing_provider_address_state, claim_core_id="C2") == "IL"
    assert _column(engine, c.c.billing_provider_address_line1, claim_core_id="C3") == (
        "somewhere near the lake"
    )
    assert _column(engine, t.payment_center.c.address_line2, payment_center_id=7) == "Floor 2"
    run_payment_event(engine, "PE-1", "dry-run")
    final = run_payment_event(engine, "PE-1", "final")
    assert final.document["status"] == "Completed", final.document["findings"]
    pc = t.payment_center
    with engine.connect() as conn:
        created = conn.execute(
            select(pc.c.payee_key, pc.c.address_line1, pc.c.address_line2, pc.c.address_city,
                   pc.c.address_state, pc.c.address_zip)
            .where(pc.c.created_payment_event_id == "PE-1")
            .order_by(pc.c.payee_key)
        ).all()  # fmt: skip
    assert [tuple(r) for r in created] == [
        (b.KEY_B, "88 Harbor Rd", None, "Evanston", "IL", "60202"),
        (b.KEY_C, "12 Elm St", "Suite 3", "Skokie", "IL", "60077"),
    ]


def test_billing_provider_address_of_another_kind_is_refused(engine: Engine) -> None:
    docs = {"ClaimFinCore": [b.claim("C1", b.line("1.00"), BillingProviderAddress=["1 Main"])]}
    assert _refused(engine, docs) == [
        "ClaimFinCore index 0: BillingProviderAddress: must be an object or text, not a list"
    ]


# --- item 10: money doubles ----------------------------------------------------------------------


def _double_claims(count: int) -> str:
    lines = []
    for i in range(count):
        doc = b.claim(f"C{i}", b.line("1.00"))
        doc["ServiceLines"][0]["AllowedAmount"] = "@ALLOWED@"
        doc["PaidAmount"] = {"$numberDouble": "0.1"}
        lines.append(json.dumps(doc).replace('"@ALLOWED@"', "20.040000000000003"))
    return "\n".join(lines) + "\n"


def test_double_artifacts_are_refused_or_rounded_and_reported(
    engine: Engine, tmp_path: Path
) -> None:
    directory = _write(tmp_path / "in", {"ClaimFinCore.json": _double_claims(3)})
    with pytest.raises(InputError) as caught:
        load_directory(engine, directory)
    assert [p.field for p in caught.value.problems] == ["ServiceLines[0].AllowedAmount"] * 3
    assert _rows(engine, t.claim_fin_core) == 0
    notes: list[str] = []
    load_directory(engine, directory, notes=notes, options=LoadOptions(round_money_doubles=True))
    assert _column(engine, t.service_line.c.allowed_amount, claim_core_id="C0") == 2004
    assert _column(engine, t.claim_fin_core.c.paid_amount, claim_core_id="C0") == 10
    assert notes[-2:] == [
        "rounded 3 money value(s) given as doubles in ClaimFinCore.json: "
        "ServiceLines[].AllowedAmount 3",
        "rounding changed 3 value(s) by 0.00 in all (exactly -0.000000000000009; "
        "the largest change of one value 0.000000000000003)",
    ]


def test_text_and_decimals_with_three_places_stay_refused_even_when_rounding(
    engine: Engine,
) -> None:
    doc = b.claim("C1", b.line("1.005"), BilledAmount={"$numberDecimal": "2.005"})
    problems = _refused(engine, {"ClaimFinCore": [doc]}, round_money_doubles=True)
    assert problems == [
        "ClaimFinCore index 0: ServiceLines[0].BilledAmount: has more than two decimal places: "
        "'1.005'",
        "ClaimFinCore index 0: ServiceLines[0].AllowedAmount: has more than two decimal places: "
        "'1.005'",
        "ClaimFinCore index 0: BilledAmount: has more than two decimal places: '2.005'",
    ]


def test_many_bad_claims_are_summarised(app: typer.Typer, db_uri: str, tmp_path: Path) -> None:
    directory = _write(tmp_path / "in", {"ClaimFinCore.json": _double_claims(2_000)})
    code, output = _cli(app, db_uri, "load", str(directory))
    assert code == 1
    assert "2,000 problem(s) in the input; nothing was written" in output
    assert (
        "2,000 × ClaimFinCore.json ServiceLines[].AllowedAmount: is a floating-point value "
        "with more than two decimals (N)"
    ) in output
    assert output.count("\n") < 60, "a summary, not one line per problem"
    code, output = _cli(app, db_uri, "load", "--round-money-doubles", str(directory))
    assert code == 0, output
    assert "rounding changed 2,000 value(s) by 0.00 in all" in output


# --- item 11: stage aliases ----------------------------------------------------------------------


def _event(stage: object, event_id: str = "PE-9") -> dict[str, Any]:
    return {"PaymentEvent_ID": event_id, "PaymentDueDate": "2026-09-25",
            "PaymentEventType": "Provider", "Stage": stage}  # fmt: skip


@pytest.mark.parametrize(
    ("given", "stage"),
    [
        ("Created", "New"), ("open", "New"), ("NEW", "New"),
        ("PreRun", "DryRun"), ("estimate", "DryRun"), ("Estimated", "DryRun"),
        ("dry run", "DryRun"), ("Dry-Run", "DryRun"), ("dryrun", "DryRun"),
        ("Completed", "Final"), ("CLOSED", "Final"), ("paid", "Final"), ("FINAL", "Final"),
        ("Finalized", "Final"),
    ],
)  # fmt: skip
def test_legacy_stage_names(engine: Engine, given: str, stage: str) -> None:
    load_documents(engine, {"PaymentEvent": [_event(given)]})
    assert _column(engine, t.payment_event.c.stage, payment_event_id="PE-9") == stage


def test_unknown_stage_names_the_stages_and_the_aliases(engine: Engine) -> None:
    [problem] = _refused(engine, {"PaymentEvent": [_event("Approved")]})
    assert problem.startswith("PaymentEvent index 0: Stage: must be one of New, DryRun, Final ")
    assert "Created, Open → New" in problem
    assert "Completed, Closed, Paid, Finalized → Final" in problem
    assert problem.endswith("not text 'Approved'")


def test_the_setting_adds_stage_aliases(app: typer.Typer, db_uri: str, tmp_path: Path) -> None:
    events = [_event("Approved", "PE-8"), _event("done", "PE-9")]
    directory = _write(tmp_path / "in", {"PaymentEvent.json": events})
    code, output = _cli(app, db_uri, "load", str(directory))
    assert code == 1
    assert "not text 'Approved'" in output
    aliases = {"PAYMENT_STAGE_ALIASES": "Approved=DryRun, Done=final"}
    code, output = _cli(app, db_uri, "load", str(directory), **aliases)
    assert code == 0, output
    code, output = _cli(app, db_uri, "load", str(directory), PAYMENT_STAGE_ALIASES="Final=New")
    assert code == 1
    assert "PAYMENT_STAGE_ALIASES" in output
    assert "is a stage itself" in output


# --- item 12 and 13: counters, whole numbers and dates as text -----------------------------------


def test_sequences_in_the_counters_shape(engine: Engine) -> None:
    sequences = [
        {"_id": "PaymentCenter", "seq": 1010},
        {"_id": "OverAndUnderPayment", "seq": {"$numberInt": "77"}},
        {"_id": "CheckNumber:FS1", "seq": {"$numberLong": "7000"}},
        {"_id": {"$oid": "65f0a1b2c3d4e5f601234567"}, "Name": "Other", "Value": "12"},
    ]
    load_documents(engine, {"SequenceNumbers": sequences})
    with engine.connect() as conn:
        stored = dict(
            conn.execute(select(t.sequence_numbers.c.name, t.sequence_numbers.c.value)).all()
        )
    assert stored == {"PaymentCenter": 1010, "OverAndUnderPayment": 77, "CheckNumber:FS1": 7000,
                      "Other": 12}  # fmt: skip
    bad = [{"_id": {"$oid": "65f0a1b2c3d4e5f601234568"}, "seq": 5}]
    assert _refused(engine, {"SequenceNumbers": bad}) == [
        "SequenceNumbers index 0: Name: is required"
    ]


def test_whole_numbers_and_us_dates_given_as_text(engine: Engine) -> None:
    docs = b.cycle()
    docs["PaymentCenter"] = [b.payee(" 1004 ")]  # type: ignore[arg-type]
    docs["ClaimFinCore"] = [
        b.claim("C1", {**b.line("10.00"), "LineNumber": "1", "Units": "2"}, received="09/25/2026")
    ]
    load_documents(engine, docs)
    assert _column(engine, t.payment_center.c.payment_center_id, payee_key=b.KEY_A) == 1004
    assert str(_column(engine, t.claim_fin_core.c.received_date, claim_core_id="C1")) == (
        "2026-09-25"
    )
    assert _column(engine, t.service_line.c.units, claim_core_id="C1") == 2
    refused = _refused(
        engine,
        {"PaymentCenter": [b.payee("12.5"), b.payee("abc", tax=b.TIN_B)]},  # type: ignore[arg-type]
    )
    assert refused == [
        "PaymentCenter index 0: PaymentCenter_ID: must be a whole number, not text '12.5'",
        "PaymentCenter index 1: PaymentCenter_ID: must be a whole number, not text 'abc'",
    ]


# --- item 14: file names -------------------------------------------------------------------------


def test_alternate_file_names_are_read_whatever_their_case(engine: Engine, tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "in",
        {
            "OverAndUnderPayments.json": [b.record(1, 7, "OverPayment", "5.00", "2025-01-01")],
            "paymentcenters.json": [b.payee(7)],
            "CLAIMFINCORES.json": [b.claim("C1", b.line("1.00"))],
            "Refunds.json": [b.refund("RF1", "C1", "1.00")],
            "PaymentRegister.json": "[]\n",
            "PaymentEventStats.json": "[]\n",
            "ClaimWSCore.json": "[]\n",
        },
    )
    notes: list[str] = []
    counts = load_directory(engine, directory, notes=notes)
    assert {k: counts[k] for k in ("OverAndUnderPayment", "PaymentCenter", "ClaimFinCore", "Refund")} == {
        "OverAndUnderPayment": 1, "PaymentCenter": 1, "ClaimFinCore": 1, "Refund": 1,
    }  # fmt: skip
    assert any("ClaimWSCore.json" in n for n in notes)


def test_two_files_of_one_collection_are_an_error_naming_both(
    engine: Engine, tmp_path: Path
) -> None:
    directory = _write(
        tmp_path / "in",
        {
            "OverAndUnderPayment.json": [b.record(1, 7, "OverPayment", "5.00", "2025-01-01")],
            "OverAndUnderPayments.json": [b.record(2, 7, "OverPayment", "5.00", "2025-01-01")],
        },
    )
    with pytest.raises(InputError) as caught:
        load_directory(engine, directory)
    [problem] = [str(p) for p in caught.value.problems]
    assert "OverAndUnderPayment.json and OverAndUnderPayments.json are both files of " in problem
    assert _rows(engine, t.over_and_under_payment) == 0


def test_an_unknown_json_file_is_an_error_unless_skipped(engine: Engine, tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "in", {"PaymentCenter.json": [b.payee(7)], "Vendors_2019.json": "[]\n"}
    )
    with pytest.raises(InputError) as caught:
        load_directory(engine, directory)
    [problem] = caught.value.problems
    assert (problem.source, problem.field) == ("Vendors_2019.json", "(file)")
    assert "--skip-unknown" in problem.reason
    assert _rows(engine, t.payment_center) == 0
    notes: list[str] = []
    load_directory(engine, directory, notes=notes, options=LoadOptions(skip_unknown=True))
    assert _rows(engine, t.payment_center) == 1
    assert "not loaded (unknown files, --skip-unknown): Vendors_2019.json" in notes
