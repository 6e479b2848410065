"""`bench intake --with-relay` at tiny size (2 clients × 2 s, both databases): the relay beside
the load published exactly the claims stored, and the report has its rate and lag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from paymentprocess.cli import cmd_bench
from paymentprocess.cli import main as cli_main

pytestmark = pytest.mark.broker


def test_bench_intake_with_the_relay(
    db_uri: str, broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENT_BROKER_URL", broker_url)
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_bench.register(app)
    args = ["--db-uri", db_uri, "bench", "intake", "--clients", "2", "--seconds", "2"]
    args += ["--workers", "1", "--no-baseline", "--with-relay", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    intake = json.loads((tmp_path / "bench-report.json").read_text())["benchmarks"]["intake"]
    stored = intake["tables"][0]["rows"][0][3]
    relay = next(t for t in intake["tables"] if t["title"].startswith("relay beside"))
    published, _claims_per_s, per_s, max_unsent, max_lag, drain, _cpu = relay["rows"][0]
    assert stored > 0
    assert published == stored  # every claim's event left, none twice
    assert per_s > 0
    assert max_unsent >= 0
    assert max_lag >= 0
    assert drain >= 0
