"""`sequence list` and `sequence set` (issue 10 item 5: creating a check sequence is an explicit
act; a sequence never moves below the largest number used unless forced). Both databases."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import Engine, select
from tests.golden import builders as b

from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t


def _cli(db_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "PAYMENT_LOG_LEVEL": "INFO"},
    )


def _sequences(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.sequence_numbers.c.name, t.sequence_numbers.c.value)).all()
    return {str(n): int(v) for n, v in rows}


def _paid(engine: Engine) -> None:
    docs = b.cycle()
    docs["FundingSource"].append({"FundingSource_ID": "FS-CHASE-01", "MinimumPayment": "0.00"})
    docs["SequenceNumbers"].append({"Name": "CheckNumber_FS-CHASE-01", "Value": 7000})
    docs["PaymentCenter"] = [b.payee(7)]
    docs["OverAndUnderPayment"] = [b.record(40, 7, "OverPayment", "1.00", "2025-03-01")]
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("120.00")),
        b.claim("C2", b.line("7.50"), tax=b.TIN_B, npi=b.NPI_B),
    ]
    load_documents(engine, docs)
    for mode in ("dry-run", "final"):
        assert run_payment_event(engine, "PE-1", mode).exit_code == 0  # type: ignore[arg-type]


def test_sequence_list_shows_every_sequence(engine: Engine, db_uri: str) -> None:
    _paid(engine)
    listed = _cli(db_uri, "sequence", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {"name": "CheckNumber:FS1", "value": 1002},
        {"name": "CheckNumber_FS-CHASE-01", "value": 7000},
        {"name": "OverAndUnderPayment", "value": 50},
        {"name": "PaymentCenter", "value": 501},
    ]
    table = _cli(db_uri, "sequence", "list")
    assert table.returncode == 0, table.stderr
    assert "Name" in table.stdout
    assert "CheckNumber:FS1" in table.stdout
    assert "1002" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80


def test_sequence_set_creates_a_check_sequence_explicitly(engine: Engine, db_uri: str) -> None:
    _paid(engine)
    created = _cli(db_uri, "sequence", "set", "CheckNumber:FS-CHASE-01", "7000")
    assert created.returncode == 0, created.stderr
    said = " ".join(created.stdout.split())
    assert "sequence CheckNumber:FS-CHASE-01 created at 7000: the next number is 7001" in said
    assert "sequence_set" in created.stdout + created.stderr  # logged
    assert _sequences(engine)["CheckNumber:FS-CHASE-01"] == 7000
    moved = _cli(db_uri, "sequence", "set", "CheckNumber:FS-CHASE-01", "7100")
    assert moved.returncode == 0, moved.stderr
    assert "moved from 7000 to 7100" in " ".join(moved.stdout.split())


def test_sequence_set_refuses_below_the_largest_number_used(engine: Engine, db_uri: str) -> None:
    _paid(engine)  # checks 1001-1002 paid from FS1, payee 501 created, ledger id 40 in use
    before = _sequences(engine)
    for name, value, used in (
        ("CheckNumber:FS1", "1001", "1002"),
        ("PaymentCenter", "100", "501"),
        ("OverAndUnderPayment", "39", "40"),
    ):
        refused = _cli(db_uri, "sequence", "set", name, value)
        assert refused.returncode == 1, (name, refused.stdout)
        message = " ".join(refused.stderr.split())
        assert f"{name} cannot be set to {value}: {used} is already used" in message
        assert "Traceback" not in refused.stderr
    for args, why in (
        (("CheckNumber_FS1", "5"), "is not a sequence a run uses"),
        (("CheckNumber:NOPE", "5"), "funding source 'NOPE' does not exist"),
    ):
        refused = _cli(db_uri, "sequence", "set", *args)
        assert refused.returncode == 1
        assert why in " ".join(refused.stderr.split())
    negative = _cli(db_uri, "sequence", "set", "PaymentCenter", "-1")
    assert negative.returncode == 2
    assert _sequences(engine) == before
    forced = _cli(db_uri, "sequence", "set", "OverAndUnderPayment", "39", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "forced" in forced.stdout
    assert _sequences(engine)["OverAndUnderPayment"] == 39
    at_used = _cli(db_uri, "sequence", "set", "CheckNumber:FS1", "1002")
    assert at_used.returncode == 0, at_used.stderr
