"""Stateful API fuzzing with schemathesis (both databases): zero 5xx over linked sequences.

schemathesis 4 infers the links between operations from the app's own OpenAPI document
(`apply_stateful_inference`: the `claim_id` a `POST /claims` answers feeds `GET /claims/{claim_id}`,
a created payment event feeds its runs, a run's `job_id` its status, and so on) and drives
scenarios of up to `STEPS` calls through them, in process (ASGI). Every answer must be a non-5xx
with a documented status, content type and schema; created resources must be readable
(`ensure_resource_availability`). A few hand-written requests add what generated data rarely
hits (a NUL character in a path or query, which PostgreSQL cannot compare).
`PAYMENT_FUZZ_SCALE` multiplies the number of scenarios.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import func, select

from paymentprocess.api.app import create_app
from paymentprocess.config import Settings
from paymentprocess.service.run_jobs import ACTIVE_STATES
from paymentprocess.storage.database import create_engine_for
from paymentprocess.storage.tables import run_job

SCALE = int(os.environ.get("PAYMENT_FUZZ_SCALE", "1"))
SCENARIOS = 40 * SCALE
STEPS = 8
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.ensure_resource_availability,
]


@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_linked_operations_never_answer_5xx(db_uri: str) -> None:
    engine = create_engine_for(db_uri)
    app = create_app(Settings(db_uri=db_uri, top_rate_limit="100000/minute"), engine=engine)
    statuses: dict[int, int] = {}
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        inferred = schema.apply_stateful_inference(None)
        assert inferred.selected >= 4, inferred  # claims and payment-event chains are linked
        machine = schema.as_state_machine()

        class Scenario(machine):  # type: ignore[misc, valid-type]
            def after_call(self, response: Any, case: Any) -> None:
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

            def validate_response(
                self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
            ) -> None:
                case.validate_response(response, checks=CHECKS)

        Scenario.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
        from fastapi.testclient import TestClient

        with TestClient(app) as client:
            for method, path, kwargs in (
                ("GET", "/claims/%00", {}),
                ("GET", "/claims", {"params": {"provider_tin": "\x00"}}),
                ("GET", "/claims", {"params": {"provider_npi": "1\x00"}}),
                ("GET", "/payment-events/%00/stats", {}),
                ("GET", "/payment-events/%00/runs/%00", {}),
                ("POST", "/payment-events/%00/runs", {"json": {"mode": "dry-run"}}),
            ):
                answer = client.request(method, path, **kwargs)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                assert answer.status_code < 500, (path, answer.text)
        # the run jobs the scenarios started (api/run_jobs.py threads "run-<job id>") finish
        # before the engine goes, and every one of them ended done or failed
        for job in [th for th in threading.enumerate() if th.name.startswith("run-")]:
            job.join(120)
            assert not job.is_alive(), f"run job thread {job.name} still running"
        with engine.connect() as conn:
            unfinished = conn.execute(
                select(func.count()).where(run_job.c.state.in_(ACTIVE_STATES))
            ).scalar_one()
        assert unfinished == 0
    finally:
        engine.dispose()
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    print(
        f"stateful API fuzz: {sum(statuses.values())} calls, statuses {dict(sorted(statuses.items()))}"
    )
    assert server_errors == 0
    assert statuses.get(201, 0) >= 1, statuses
