"""The README's first command: `demo` generates a cycle, Dry Run, Final Run, on a fresh SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for


def _demo(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
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
    )


def test_demo_pays_a_cycle_and_can_run_again(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    for _ in range(2):  # --fresh makes it repeatable
        done = _demo(db)
        assert done.returncode == 0, done.stderr
        assert "demo complete" in done.stdout  # the result on stdout, logs on stderr
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
