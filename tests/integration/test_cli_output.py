"""What the commands print (both databases): the result on stdout, logs and messages on stderr,
readable tables that fit an 80-column terminal without cutting an amount (issue 10, smaller
things). Before: the run report went to stderr with stdout empty, and `event show` printed a
Python dict."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

from sqlalchemy import Engine
from tests.golden import builders as b

from paymentprocess.io.load import load_documents

BIG = "1234567.89"  # ten characters: seven amount columns of it do not fit 80 columns in one table


def _cli(db_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    env.update({"COLUMNS": "80", "PAYMENT_LOG_LEVEL": "INFO"})
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def _docs() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle(minimum="5.00")
    d["InterestConfig"] = [b.interest("Contract", "0.04", 30, "2025-01-01", None)]
    d["PaymentCenter"] = [b.payee(7)]
    d["OverAndUnderPayment"] = [b.record(4, 7, "UnderPayment", "2.00", "2025-03-01")]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line(BIG), received="2025-01-02"),
        b.claim("C2", b.line("7.50"), tax=b.TIN_B, npi=b.NPI_B),  # a new payee (long key)
        b.claim("AV", parent="NOPE", freq="8"),  # a Warning finding
    ]
    return d


def _fits(text: str) -> None:
    assert text.strip()
    widest = max(len(line.rstrip()) for line in text.splitlines())
    assert widest <= 80, text


def _amounts(text: str) -> set[str]:
    return set(re.findall(r"-?\d+\.\d\d\b", text))


def test_run_report_is_on_stdout_and_fits_80_columns(engine: Engine, db_uri: str) -> None:
    load_documents(engine, _docs())
    for mode in ("dry-run", "final"):
        shown = _cli(db_uri, "run", "-m", mode, "-p", "PE-1")
        assert shown.returncode == 0, shown.stderr
        assert "Totals" in shown.stdout
        assert "Payees" in shown.stdout
        assert "MISSING_PARENT_PAID" in shown.stdout
        assert "Totals" not in shown.stderr  # stderr: logs and progress only
        assert "Payees" not in shown.stderr
        assert "run_finished" in shown.stderr
        logs = [json.loads(x) for x in shown.stderr.splitlines() if x.startswith("{")]
        assert [e["event"] for e in logs][-1] == "run_finished"  # the log lines are JSON
        assert "run_finished" not in shown.stdout  # and none of them is on stdout
        assert not [x for x in shown.stdout.splitlines() if x.lstrip().startswith("{")]
        _fits(shown.stdout)
        doc = json.loads(_cli(db_uri, "event", "show", "PE-1", "--json").stdout)
        assert doc["runs"][-1]["mode"] == mode
    # every amount of the Final Run's document is printed whole
    final = json.loads(_cli(db_uri, "run", "-m", "final", "-p", "PE-1", "--json").stdout)
    assert final == {"message": "payment event PE-1 is already Final; nothing changed"}
    again = _cli(db_uri, "run", "-m", "final", "-p", "PE-1")
    assert again.returncode == 0
    assert "already Final; nothing changed" in again.stdout
    refused = _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1")
    assert refused.returncode == 1
    assert "a Dry Run would change nothing" in refused.stderr
    assert not refused.stdout.strip()


def test_final_report_prints_every_amount_whole(engine: Engine, db_uri: str) -> None:
    load_documents(engine, _docs())
    assert _cli(db_uri, "run", "-m", "dry-run", "-p", "PE-1").returncode == 0
    shown = _cli(db_uri, "final-run", "-p", "PE-1")
    assert shown.returncode == 0, shown.stderr
    _fits(shown.stdout)
    doc = json.loads(_cli(db_uri, "event", "show", "PE-1", "--json").stdout)
    stats = _cli(db_uri, "export", "--help")  # the CLI works after a Final Run
    assert stats.returncode == 0
    paid = doc["runs"][-1]["paid"]
    assert BIG in shown.stdout  # the claim's net, uncut
    assert paid in _amounts(shown.stdout)


def test_event_show_is_a_table_and_json(engine: Engine, db_uri: str) -> None:
    load_documents(engine, _docs())
    before = _cli(db_uri, "event", "show", "PE-1")
    assert before.returncode == 0, before.stderr
    assert "Payment event PE-1" in before.stdout
    assert "none: a Final Run needs a Dry Run first" in " ".join(before.stdout.split())
    assert "runs: none yet" in before.stdout
    assert "{'" not in before.stdout  # no Python dict
    for mode in ("dry-run", "final"):
        assert _cli(db_uri, "run", "-m", mode, "-p", "PE-1").returncode == 0
    shown = _cli(db_uri, "event", "show", "PE-1")
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    for expected in (
        "Payment event PE-1",
        "stage Final",
        "funding source FS1",
        "set by its last Dry Run here",
        "Runs",
        "dry-run Completed",
        "final Completed",
        "run 2 timings (ms): config",
        "Backups",
        "paymentprocess restore --backup 1",
    ):
        assert expected in text, (expected, shown.stdout)
    _fits(shown.stdout)
    doc = json.loads(_cli(db_uri, "event", "show", "PE-1", "--json").stdout)
    assert doc["event"]["stage"] == "Final"
    final = doc["runs"][1]
    assert (final["mode"], final["status"]) == ("final", "Completed")
    # 1234567.89 + interest 22188.41 (4 %, 194 days - 30 grace) + 7.50 + 2.00 carried in
    assert final["paid"] == "1256765.80"
    # started before the lock, finished at the stats: the whole run, so at least its persist
    assert final["seconds"] * 1000 >= final["timings_ms"]["persist"] > 0
    assert "persist" in final["timings_ms"]
    assert doc["backups"][0]["restorable"] is True
