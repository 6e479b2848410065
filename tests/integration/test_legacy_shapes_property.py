"""Property test: a cycle in legacy shapes pays exactly what the same cycle in plain shapes pays.

Each drawn cycle (tests/strategies.py `cycle_documents()`) is loaded once as it is and once
rewritten by tests/legacy_shapes.py (doubles, dashed TINs, whole numbers and dates as text,
`$date`, stage aliases, counters sequences, address objects, alternate collection names); both go
through a Dry Run and a Final Run (tests/engine_harness.py compares each with the reference on the
plain documents), and the two databases must then hold the same rows in every table and the same
stats documents. Excluded from the comparison: timestamps, timings, and the two things that
record the address's form (the text column `billing_provider_address`, given only for text, and the
claims' fingerprint, which hashes it). `PAYMENT_LEGACY_EXAMPLES` sets the examples per database.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, Engine, select
from tests.engine_harness import run_both
from tests.integration.test_io_legacy_export import fresh
from tests.legacy_shapes import legacy_shapes
from tests.strategies import cycle_documents

from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t

EXAMPLES = int(os.environ.get("PAYMENT_LEGACY_EXAMPLES", "25"))
FORM_OF_THE_ADDRESS = {"billing_provider_address", "claims_fingerprint"}
VOLATILE_KEYS = {
    "timings_ms",
    "started_at",
    "finished_at",
    "created_at",
    "claims_fingerprint",
    "fingerprint",  # the audit log's record of a run quotes the claims' fingerprint
}


def _plain(value: Any) -> Any:
    """A stats document without what differs from run to run (timings, timestamps)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if not isinstance(c.type, DateTime) and c.name not in FORM_OF_THE_ADDRESS
            ]
            if table.name == "payment_event_stats":
                columns = [c for c in columns if c.name != "document"]
            rows = conn.execute(select(*columns)).all()
            if table.name == "audit_log":
                rows = [(*r[:-1], _plain(r[-1])) for r in rows]  # its last column, `detail`
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        stats = conn.execute(
            select(t.payment_event_stats.c.document).order_by(t.payment_event_stats.c.run_id)
        ).scalars()
        out["stats documents"] = [_plain(d) for d in stats]
    return out


def _runs(engine: Engine, documents: dict[str, list[dict[str, Any]]], event_id: str) -> None:
    load_documents(engine, documents)
    for mode in ("dry-run", "final"):
        outcome = run_payment_event(engine, event_id, mode)
        assert outcome.document, outcome.message


@st.composite
def _plain_and_legacy(draw: st.DrawFn) -> tuple[Any, Any, str]:
    documents, event_id = draw(cycle_documents())
    return documents, draw(legacy_shapes(documents)), event_id


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(drawn=_plain_and_legacy())
def test_legacy_shapes_pay_what_plain_documents_pay(
    engine: Engine, drawn: tuple[Any, Any, str]
) -> None:
    plain, legacy, event_id = drawn
    fresh(engine)
    run_both(engine, plain, event_id)  # the engine against the reference, on the plain shapes
    expected = _contents(engine)
    fresh(engine)
    _runs(engine, legacy, event_id)
    assert _contents(engine) == expected
