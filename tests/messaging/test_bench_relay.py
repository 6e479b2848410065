"""The relay benchmarks at tiny size, so they never rot: `bench relay` (300 events, both
databases) drains the whole backlog; `bench intake --with-relay` (2 clients × 2 s, PostgreSQL:
the same relay code as above, plus a server and a relay process) published exactly the claims
stored, and its report has the rate and the lag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from paymentprocess.cli import cmd_bench
from paymentprocess.cli import main as cli_main

pytestmark = pytest.mark.broker


def _bench(db_uri: str, out: Path, *args: str) -> dict[str, Any]:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_bench.register(app)
    result = CliRunner().invoke(app, ["--db-uri", db_uri, "bench", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads((out / "bench-report.json").read_text())
    return report


def test_bench_relay_drains_the_backlog(
    db_uri: str, broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENT_BROKER_URL", broker_url)
    report = _bench(db_uri, tmp_path, "relay", "--events", "300", "--batch-size", "100")
    published, batches, seconds, per_s, _cpu, left = report["benchmarks"]["relay"]["tables"][0][
        "rows"
    ][0]
    assert (published, batches, left) == (300, 3, 0)
    assert seconds > 0
    assert per_s > 0


def test_bench_intake_with_the_relay(
    pg_session_uri: str, broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENT_BROKER_URL", broker_url)
    args = ("intake", "--clients", "2", "--seconds", "2", "--workers", "1", "--no-baseline")
    intake = _bench(pg_session_uri, tmp_path, *args, "--with-relay")["benchmarks"]["intake"]
    stored = intake["tables"][0]["rows"][0][3]
    relay = next(t for t in intake["tables"] if t["title"].startswith("relay beside"))
    published, _claims_per_s, per_s, max_unsent, max_lag, drain, _cpu = relay["rows"][0]
    assert stored > 0
    assert published == stored  # every claim's event left, none twice
    assert per_s > 0
    assert max_unsent >= 0
    assert max_lag >= 0
    assert drain >= 0
