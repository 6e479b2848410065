"""Smoke test of the intake benchmark at tiny size, against the app in process."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import Engine
from tests.integration.test_api_support import row_counts

from paymentprocess.api.app import create_app
from paymentprocess.bench.intake import require_loopback, run_intake_load
from paymentprocess.config import Settings


def test_intake_benchmark_runs_and_counts_what_it_stored(db_uri: str, engine: Engine) -> None:
    app = create_app(Settings(db_uri=db_uri), engine=engine)
    result = asyncio.run(
        run_intake_load(
            "http://127.0.0.1:8000",
            concurrency=3,
            duration_s=20,
            max_requests=12,
            transport=httpx.ASGITransport(app=app),
        )
    )
    assert (result.requests, result.created) == (12, 12)
    assert result.statuses == {"201": 12}
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert row_counts(engine)["claim_fin_core"] == 12


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.org", "http://[::2]:80"])
def test_intake_benchmark_refuses_targets_off_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        require_loopback(url)
