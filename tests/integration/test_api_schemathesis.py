"""Property-based API test: schemathesis generates requests from the app's own OpenAPI document.

Runs in process (ASGI) on SQLite and PostgreSQL with a bounded number of examples per operation
and generation mode (valid and invalid data). Every answer must be a non-5xx with a documented
status code, content type and headers, and a body that matches the documented schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from paymentprocess.api.app import create_app
from paymentprocess.config import Settings
from paymentprocess.storage.database import create_engine_for

MAX_EXAMPLES = 30
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _exercise(operation: Any, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body (GET /health) has no invalid input to make.
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_no_server_error_and_every_answer_matches_the_schema(db_uri: str) -> None:
    engine = create_engine_for(db_uri)
    # A generous rate limit: schemathesis sends many requests to /providers/top.
    app = create_app(Settings(db_uri=db_uri, top_rate_limit="100000/minute"), engine=engine)
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 9
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _exercise(operation, mode)
    finally:
        engine.dispose()
