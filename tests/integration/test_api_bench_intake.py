"""The intake benchmark's load client at tiny size, against the app served on a real socket."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine
from tests.integration.intake_server import served
from tests.integration.test_api_support import row_counts

from paymentprocess.api.app import create_app
from paymentprocess.bench.intake import RequestPool, require_loopback, run_intake_load
from paymentprocess.config import Settings


def test_intake_benchmark_runs_and_counts_what_it_stored(db_uri: str, engine: Engine) -> None:
    app = create_app(Settings(db_uri=db_uri), engine=engine)
    with served(app) as url:
        result = asyncio.run(
            run_intake_load(url, concurrency=3, duration_s=20, max_requests=12, seed=3)
        )
    assert (result.requests, result.created) == (12, 12)
    assert result.statuses == {"201": 12}
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert result.client_cpu_s > 0
    assert row_counts(engine)["claim_fin_core"] == 12


def test_prepared_requests_are_unique_and_well_formed() -> None:
    pool = RequestPool("127.0.0.1:1", seed=1, providers=5, api_key="k")
    first, again = pool.request(7), pool.request(7 + 2048)  # the same body template
    head, body = first.split(b"\r\n\r\n", 1)
    assert head.startswith(b"POST /claims HTTP/1.1\r\n")
    assert b"X-API-Key: k" in head
    assert int(head.rsplit(b"Content-Length: ", 1)[1]) == len(body)
    assert first != again  # the reference carries the request number


def test_the_client_reports_errors_instead_of_failing(db_uri: str, engine: Engine) -> None:
    app = create_app(Settings(db_uri=db_uri, api_keys="secret"), engine=engine)
    with served(app) as url:
        refused = asyncio.run(run_intake_load(url, concurrency=2, max_requests=4))
        accepted = asyncio.run(
            run_intake_load(url, concurrency=2, max_requests=4, api_key="secret", seed=9)
        )
    assert (refused.statuses, refused.created) == ({"401": 4}, 0)
    assert accepted.statuses == {"201": 4}
    assert row_counts(engine)["claim_fin_core"] == 4


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.org", "http://[::2]:80"])
def test_intake_benchmark_refuses_targets_off_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        require_loopback(url)
