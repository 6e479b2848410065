"""The run, event, restore and export-claims commands as a user types them (both databases)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from tests.golden import builders as b

from paymentprocess.io.load import load_documents
from paymentprocess.storage import tables as t


def _cli(db_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _docs() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle(minimum="5.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("120.00")),
        b.claim("C2", b.line("7.50"), tax=b.TIN_B, npi=b.NPI_B),
    ]
    return d


def test_run_json_exit_codes_and_idempotent_final(engine: Engine, db_uri: str) -> None:
    load_documents(engine, _docs())
    checked = _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1", "--validate-only", "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["counts"]["claims"] == 2
    with engine.connect() as conn:  # --validate-only wrote nothing
        assert (
            conn.execute(select(func.count()).select_from(t.payment_event_stats)).scalar_one() == 0
        )
    dry = _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1", "--json")
    assert dry.returncode == 0, dry.stderr
    doc = json.loads(dry.stdout)
    assert (doc["mode"], doc["status"], doc["totals"]["paid"]) == ("dry-run", "Completed", "127.50")
    assert {"payment_center_id": None, "key": f"{b.TIN_B}|{b.NPI_B}"}.items() <= doc["payees"][
        1
    ].items()
    final = _cli(db_uri, "run", "-m", "final", "-p", "PE-1")
    assert final.returncode == 0, final.stderr
    assert "Totals" in final.stdout + final.stderr
    again = _cli(db_uri, "final-run", "-p", "PE-1")
    assert again.returncode == 0
    assert "already Final; nothing changed" in again.stdout + again.stderr
    shown = _cli(db_uri, "event", "show", "PE-1", "--json")
    runs = json.loads(shown.stdout)["runs"]
    assert [(r["mode"], r["status"]) for r in runs] == [
        ("dry-run", "Completed"),
        ("final", "Completed"),
    ]


def test_run_refusals_are_clear(engine: Engine, db_uri: str) -> None:
    load_documents(engine, _docs())
    unknown = _cli(db_uri, "run", "-m", "final", "-p", "NOPE")
    assert unknown.returncode == 1
    assert "payment event 'NOPE' does not exist" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    early = _cli(db_uri, "run", "-m", "final", "-p", "PE-1")
    assert early.returncode == 1
    assert "run a Dry Run first" in early.stdout + early.stderr
    wrong_type = _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1", "--pc-type", "dmr")
    assert wrong_type.returncode == 1
    assert "disagrees" in wrong_type.stderr
    bad_mode = _cli(db_uri, "run", "-m", "sideways", "-p", "PE-1")
    assert bad_mode.returncode == 2
    assert "sideways" in bad_mode.stderr


def test_blocked_final_run_exits_2(engine: Engine, db_uri: str) -> None:
    d = _docs()
    d["ClaimFinCore"].append(b.claim("BAD", b.line("1.00"), freq="9"))
    load_documents(engine, d)
    assert _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1").returncode == 2
    blocked = _cli(db_uri, "run", "-m", "final", "-p", "PE-1", "--json")
    assert blocked.returncode == 2
    assert json.loads(blocked.stdout)["status"] == "Blocked"


def test_event_create_assigns_unpaid_claims_of_no_open_event(engine: Engine, db_uri: str) -> None:
    d = _docs()
    d["ClaimFinCore"].append(b.claim("LOOSE", b.line("3.00"), event=None))  # type: ignore[arg-type]
    load_documents(engine, d)
    created = _cli(
        db_uri,
        "event",
        "create",
        "--id",
        "PE-9",
        "--type",
        "Provider",
        "--payment-date",
        "2025-09-01",
        "--funding-source",
        "FS1",
        "--business",
        "B1",
    )
    assert created.returncode == 0, created.stderr
    assert "with 1 claims" in created.stderr  # PE-1 is open (stage New): its claims stay
    listed = _cli(db_uri, "event", "list")
    assert "PE-9" in listed.stdout
    dup = _cli(
        db_uri,
        "event",
        "create",
        "--id",
        "PE-9",
        "--type",
        "Provider",
        "--payment-date",
        "2025-09-01",
        "--funding-source",
        "FS1",
    )
    assert dup.returncode == 1
    assert "already exists" in dup.stderr
    bad = _cli(
        db_uri,
        "event",
        "create",
        "--id",
        "PE-10",
        "--type",
        "Dental",
        "--payment-date",
        "2025-09-01",
        "--funding-source",
        "FS1",
    )
    assert bad.returncode == 1
    assert "must be Provider or DMR" in bad.stderr


def test_restore_and_export_claims(engine: Engine, db_uri: str, tmp_path: Path) -> None:
    load_documents(engine, _docs())
    qa = tmp_path / "pcc.json"
    exported = _cli(db_uri, "export-claims", "-p", "PE-1", "-o", str(qa))
    assert exported.returncode == 0, exported.stderr
    payees = json.loads(qa.read_text())
    assert payees[0]["PaymentCenter_ID"] == 7
    assert payees[0]["Claims"]["C1"]["PaidClaim"][0]["NetAmount"] == "120.00"
    _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1")
    _cli(db_uri, "run", "-m", "final", "-p", "PE-1")
    restored = _cli(db_uri, "restore", "--backup", "1")
    assert restored.returncode == 0, restored.stderr
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.payment_register)).scalar_one() == 0
        assert conn.execute(select(t.payment_event.c.stage)).scalar_one() == "DryRun"
    missing = _cli(db_uri, "restore", "--backup", "99")
    assert missing.returncode == 1
    assert "backup 99 does not exist" in missing.stderr
