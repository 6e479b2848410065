"""`paymentprocess load DIR` and `export DIR` as a user runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from paymentprocess.cli import cmd_io
from paymentprocess.cli import main as cli_main

PLANS = '[{"BenefitPlan_ID": "BP1", "Name": "Gold"}, {"BenefitPlan_ID": "BP2", "Name": "Silver"}]'
CLAIM = {
    "ClaimCore_ID": "C1",
    "FrequencyCode": "1",
    "ReceivedDate": {"$date": "2024-01-02T00:00:00Z"},
    "ServiceLines": [{"LineNumber": 1, "AllowedAmount": {"$numberDecimal": "12.50"}}],
}


@pytest.fixture
def app() -> typer.Typer:
    """The real global options with only the io commands, so the test sees just this module."""
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_io.register(app)
    return app


def _run(app: typer.Typer, db_uri: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db-uri", db_uri, *args])
    return result.exit_code, result.output


def test_load_prints_rows_per_collection(app: typer.Typer, db_uri: str, tmp_path: Path) -> None:
    (tmp_path / "BenefitPlan.json").write_text(PLANS)
    (tmp_path / "ClaimFinCore.json").write_text(json.dumps(CLAIM) + "\n")
    (tmp_path / "notes.json").write_text("{}")
    code, output = _run(app, db_uri, "load", str(tmp_path))
    assert code == 1, output  # an unknown .json file is an error naming it; nothing is written
    assert "notes.json -: (file): is not a collection file" in output
    assert "--skip-unknown" in output
    code, output = _run(app, db_uri, "load", "--skip-unknown", str(tmp_path))
    assert code == 0, output
    assert "BenefitPlan" in output
    assert "ClaimFinCore.ServiceLines" in output
    assert "not loaded (unknown files, --skip-unknown): notes.json" in output


def test_load_with_bad_records_exits_1_and_lists_them(
    app: typer.Typer, db_uri: str, tmp_path: Path
) -> None:
    bad = dict(CLAIM, ClaimCore_ID="C2", ReceivedDate="2023-02-30")
    (tmp_path / "ClaimFinCore.json").write_text(json.dumps(CLAIM) + "\n" + json.dumps(bad) + "\n")
    code, output = _run(app, db_uri, "load", str(tmp_path))
    assert code == 1
    assert "1 problem(s) in the input; nothing was written" in output
    assert "ClaimFinCore.json line 2: ReceivedDate: is not a real date: '2023-02-30'" in output
    assert "Traceback" not in output


def test_load_refuses_a_missing_directory(app: typer.Typer, db_uri: str, tmp_path: Path) -> None:
    code, output = _run(app, db_uri, "load", str(tmp_path / "nowhere"))
    assert code == 1
    assert "does not exist" in " ".join(output.split())


def test_export_writes_json_lines(app: typer.Typer, db_uri: str, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ClaimFinCore.json").write_text(json.dumps(CLAIM))
    assert _run(app, db_uri, "load", str(tmp_path / "in"))[0] == 0
    code, output = _run(app, db_uri, "export", str(tmp_path / "out"), "--format", "jsonl")
    assert code == 0, output
    [line] = (tmp_path / "out" / "ClaimFinCore.json").read_text().splitlines()
    claim = json.loads(line)
    assert (claim["ReceivedDate"], claim["Status"]) == ("2024-01-02", "Unpaid")
    assert claim["ServiceLines"][0]["AllowedAmount"] == "12.50"
    assert (tmp_path / "out" / "PaymentEventStats.json").read_text() == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{name}.json"
        for name in [
            "PaymentEvent",
            "Business",
            "InterestConfig",
            "Payer",
            "FundingSource",
            "InclusionCriteria",
            "BenefitPlan",
            "PaymentCenter",
            "ClaimFinCore",
            "OverAndUnderPayment",
            "Refund",
            "SequenceNumbers",
            "ServiceCode",
            "ProcessCodeEx",
            "PaymentRegister",
            "PaymentEventStats",
        ]
    )
