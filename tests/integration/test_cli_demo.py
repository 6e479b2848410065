"""The README's first command: `demo` generates a cycle, Dry Run, Final Run, on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from paymentprocess.domain.columns import PAYEE_RESULT
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for


def _demo(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # in the test's directory: the payment files go to ./demo-outputs
        [
            sys.executable,
            "-m",
            "paymentprocess",
            "--db-uri",
            f"sqlite:///{db}",
            "demo",
            "--claims",
            "600",
            "--fresh",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=db.parent,
    )


def test_demo_pays_a_cycle_and_can_run_again(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    for _ in range(2):  # --fresh makes it repeatable
        done = _demo(db)
        assert done.returncode == 0, done.stderr
        assert "demo complete" in done.stdout  # the result on stdout, logs on stderr
        files = db.parent / "demo-outputs" / "PE-DEMO"
        manifest = (files / "MANIFEST.sha256").read_text().splitlines()
        assert any("835/835_" in line for line in manifest)
        assert any("ach/ACH_" in line for line in manifest)
        assert "final · PE-DEMO Completed" in done.stdout
        assert "Totals" not in done.stderr
    engine = create_engine_for(f"sqlite:///{db}")
    with engine.connect() as conn:
        stage = conn.execute(
            select(t.payment_event.c.stage).where(t.payment_event.c.payment_event_id == "PE-DEMO")
        ).scalar_one()
        payments = conn.execute(
            select(func.count())
            .select_from(t.payment_register)
            .where(t.payment_register.c.payment_event_id == "PE-DEMO")
        ).scalar_one()
    assert stage == "Final"
    assert payments > 0


def test_demo_fresh_refuses_postgresql() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "paymentprocess",
            "--db-uri",
            "postgresql://postgres@127.0.0.1:5432/none",
            "demo",
            "--fresh",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "--fresh only deletes a SQLite file" in done.stderr


def test_demo_prints_a_big_cycle_whole_at_80_columns_with_logs_apart(tmp_path: Path) -> None:
    """The README's demo size (20,000 claims, 15 million dollars): the report on stdout fits 80
    columns with every total and every shown payee amount whole; the log lines are JSON on
    stderr only, and stderr holds no part of the report."""
    db = tmp_path / "demo.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    done = subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", f"sqlite:///{db}", "demo", "--fresh"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**env, "COLUMNS": "80"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80, done.stdout
    engine = create_engine_for(f"sqlite:///{db}")
    with engine.connect() as conn:
        docs = (
            conn.execute(
                select(t.payment_event_stats.c.document).order_by(t.payment_event_stats.c.run_id)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    shown = set(re.findall(r"(?<![\d.])-?\d+\.\d\d(?![\d.])", done.stdout))
    for doc in docs:  # the Dry Run's and the Final Run's
        top = sorted(doc["payees"], key=lambda p: -abs(Decimal(p["claims_net"])))[:15]
        amounts = set(doc["totals"].values()) | {p[c] for p in top for c in PAYEE_RESULT}
        assert not amounts - shown, sorted(amounts - shown)
    assert max(len(a) for a in shown) >= 11  # a cycle of millions: e.g. 15349024.37
    assert not [line for line in done.stdout.splitlines() if line.lstrip().startswith("{")]
    assert "run_finished" not in done.stdout
    logs = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [e["mode"] for e in logs if e["event"] == "run_finished"] == ["dry-run", "final"]
    for part in ("Totals", "Payees", "claims net", "demo complete"):
        assert part not in done.stderr
