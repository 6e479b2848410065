"""Property test: on random cycles the vectorized engine equals the per-claim reference, to the cent.

Each drawn cycle (tests/strategies.py: originals, voids, replacements, chains spanning cycles,
prior over/underpayments, refunds, holds, late claims, DMR payees, bad data) is loaded into a
cleared database, run as a Dry Run and then a Final Run, and every claim net, interest, payee
result, ledger record, payment, new payee, finding and stats total is compared with the reference.
`PAYMENT_PROPERTY_EXAMPLES` sets the number of cycles per database (default 500: 1,000 in all).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine
from tests.engine_harness import run_both
from tests.reliability.harness import wipe
from tests.strategies import cycle_documents

EXAMPLES = int(os.environ.get("PAYMENT_PROPERTY_EXAMPLES", "500"))


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
@given(drawn=cycle_documents())
def test_engine_equals_reference_on_random_cycles(
    engine: Engine, drawn: tuple[dict[str, list[dict[str, Any]]], str]
) -> None:
    documents, event_id = drawn
    wipe(engine)
    run_both(engine, documents, event_id)
