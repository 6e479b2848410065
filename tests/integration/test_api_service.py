"""API keys on write endpoints, /health, the access log, and the payment-event endpoints.

The payment-event runs go through `api.run_adapter` to the run engine; a stand-in runner is used
where the test is about the job protocol (202, 409 while running, status), the real engine where
it is about the result.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import structlog
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from tests.integration.test_api_support import api_client, claim, row_counts

from paymentprocess.storage import tables as t


def test_write_endpoints_require_an_api_key_when_configured(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri, api_keys="s3cret, other") as client:
        missing = client.post("/claims", json=claim())
        wrong = client.post("/claims", json=claim(), headers={"X-API-Key": "s3cret!"})
        wrong_bearer = client.post("/claims", json=claim(), headers={"Authorization": "Bearer x"})
        counts = row_counts(engine)
        by_header = client.post("/claims", json=claim(), headers={"X-API-Key": "s3cret"})
        by_bearer = client.post("/claims", json=claim(), headers={"Authorization": "Bearer other"})
        runs = client.post("/payment-events/PE/runs", json={"mode": "dry-run"})
        read = client.get(f"/claims/{by_header.json()['claim_id']}")
    assert [missing.status_code, wrong.status_code, wrong_bearer.status_code] == [401] * 3
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert "API key" in missing.json()["detail"][0]["message"]
    assert counts["claim_fin_core"] == 0
    assert [by_header.status_code, by_bearer.status_code] == [201, 201]
    assert runs.status_code == 401
    assert read.status_code == 200  # reads need no key


def test_no_key_is_needed_when_none_is_configured(db_uri: str) -> None:
    with api_client(db_uri) as client:
        assert client.post("/claims", json=claim()).status_code == 201


def test_health_checks_the_database(db_uri: str, tmp_path: Any) -> None:
    with api_client(db_uri) as client:
        ok = client.get("/health")
        assert (ok.status_code, ok.json()) == (
            200,
            {"status": "ok", "database": "ok", "outbox": {"unsent": 0, "lag_seconds": 0.0}},
        )
        assert client.post("/claims", json=claim()).status_code == 201
        waiting = client.get("/health").json()["outbox"]
    assert waiting["unsent"] == 1  # no relay runs here: the claim's event waits
    assert waiting["lag_seconds"] >= 0.0
    down = (
        f"sqlite:///{tmp_path}/missing-dir/x.db"
        if db_uri.startswith("sqlite")
        else "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2"
    )
    with api_client(down) as client:
        bad = client.get("/health")
    assert (bad.status_code, bad.json()) == (
        503,
        {"status": "unavailable", "database": "unreachable"},
    )


def test_openapi_documents_both_intake_bodies(db_uri: str) -> None:
    with api_client(db_uri) as client:
        doc = client.get("/openapi.json").json()
        docs_page = client.get("/docs")
    body = doc["paths"]["/claims"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "text/csv"}
    assert "ClaimIn" in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["ClaimIn"]["examples"]
    assert docs_page.status_code == 200


def test_access_log_names_route_templates_and_never_phi(db_uri: str) -> None:
    with structlog.testing.capture_logs() as logs, api_client(db_uri) as client:
        created = client.post("/claims", json=claim()).json()
        client.get(f"/claims/{created['claim_id']}")
        client.get("/claims", params={"provider_npi": "1497775530"})
    access = [e for e in logs if e["event"] == "http_request"]
    assert [(e["method"], e["path"], e["status"]) for e in access] == [
        ("POST", "/claims", 201),
        ("GET", "/claims/{claim_id}", 200),
        ("GET", "/claims", 200),
    ]
    assert access[0]["claim_id"] == created["claim_id"]
    assert all(isinstance(e["duration_ms"], float) and e["duration_ms"] > 0 for e in access)
    text = repr(logs)
    assert "3730189502" not in text  # subscriber number
    assert "1497775530" not in text  # the query string is never logged


def _event(engine: Engine, event_id: str = "PE-1") -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(t.funding_source).values(
                funding_source_id="FS1", name="Main", minimum_payment=100
            )
        )
        conn.execute(
            insert(t.payment_event).values(
                payment_event_id=event_id,
                funding_source_id="FS1",
                payment_due_date=date(2024, 10, 15),
                payment_event_type="Provider",
                stage="New",
            )
        )


def _wait(client: TestClient, path: str) -> dict[str, Any]:
    for _ in range(300):
        job: dict[str, Any] = client.get(path).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job at {path} did not finish")


class _BlockingRunner:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[tuple[str, str, bool]] = []

    def __call__(
        self, _engine: Engine, event_id: str, mode: str, *, force: bool = False, **_kw: Any
    ) -> Any:
        self.calls.append((event_id, mode, force))
        assert self.release.wait(30)
        return type("Outcome", (), {"exit_code": 0, "run_id": 7, "document": {}, "message": "ok"})()


def test_a_second_run_of_the_same_event_is_refused_while_one_runs(
    db_uri: str, engine: Engine
) -> None:
    _event(engine)
    runner = _BlockingRunner()
    with api_client(db_uri) as client:
        client.app.state.run_payment_event = runner  # type: ignore[attr-defined]
        first = client.post("/payment-events/PE-1/runs", json={"mode": "final", "force": True})
        second = client.post("/payment-events/PE-1/runs", json={"mode": "dry-run"})
        runner.release.set()
        job = _wait(client, first.headers["location"])
        third = client.post("/payment-events/PE-1/runs", json={"mode": "dry-run"})
        _wait(client, third.headers["location"])
        unknown = client.post("/payment-events/NOPE/runs", json={"mode": "dry-run"})
        bad_mode = client.post("/payment-events/PE-1/runs", json={"mode": "wet"})
        missing_job = client.get("/payment-events/PE-1/runs/nope")
    assert first.status_code == 202
    assert first.json()["state"] in ("queued", "running")
    assert second.status_code == 409
    assert "in progress" in second.json()["detail"][0]["message"]
    assert (job["state"], job["exit_code"], job["run_id"], job["message"]) == ("done", 0, 7, "ok")
    assert third.status_code == 202
    assert runner.calls[0] == ("PE-1", "final", True)
    assert (unknown.status_code, bad_mode.status_code, missing_job.status_code) == (404, 422, 404)


def test_a_failing_run_is_recorded_as_failed(db_uri: str, engine: Engine) -> None:
    _event(engine)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    with api_client(db_uri) as client:
        client.app.state.run_payment_event = broken  # type: ignore[attr-defined]
        started = client.post("/payment-events/PE-1/runs", json={"mode": "dry-run"})
        job = _wait(client, started.headers["location"])
    assert (job["state"], job["message"]) == ("failed", "RuntimeError: boom")


def test_create_event_and_dry_run_through_the_run_engine(db_uri: str, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(t.funding_source).values(
                funding_source_id="FS1", name="Main", minimum_payment=100
            )
        )
    event = {
        "payment_event_id": "PE-9",
        "event_type": "Provider",
        "payment_due_date": "2024-10-15",
        "funding_source_id": "FS1",
    }
    with api_client(db_uri) as client:
        client.post("/claims", json=claim(provider_tin="123456789"))
        created = client.post("/payment-events", json=event)
        again = client.post("/payment-events", json=event)
        started = client.post("/payment-events/PE-9/runs", json={"mode": "dry-run"})
        job = _wait(client, started.headers["location"])
        stats = client.get("/payment-events/PE-9/stats").json()
        unknown = client.get("/payment-events/NOPE/stats")
    assert created.status_code == 201
    assert created.json()["claims_assigned"] == 1
    assert again.status_code == 409
    assert job["state"] == "done"
    # no benefit plan and no check-number sequence were loaded: a Dry Run that completes with
    # those two Critical findings (exit 2) and estimates the one claim's net fee
    assert job["exit_code"] == 2
    assert job["message"] == "dry-run run of PE-9 completed with Critical findings"
    document = stats["runs"][0]["document"]
    critical = [f["code"] for f in document["findings"] if f["severity"] == "Critical"]
    assert critical == ["INVALID_BENEFIT_PLAN", "SEQUENCE_MISSING"]
    assert (document["status"], document["totals"]["paid"]) == ("CompletedWithErrors", "48.75")
    assert stats["runs"][0]["run_id"] == job["run_id"]
    assert stats["runs"][0]["mode"] == "dry-run"
    assert stats["runs"][0]["document"]["payment_event_id"] == "PE-9"
    assert unknown.status_code == 404
