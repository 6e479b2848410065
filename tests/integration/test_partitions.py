"""A cycle computed in partitions of chains gives what it gives whole: table for table, and the
stats document byte for byte (engine.partition; issue 16).

Each case runs the Dry Run and then the Final Run of the same cycle twice on the same database
kind — whole (`partitions=1`) and split (2, 7 or 64 partitions) — from the same starting state,
and compares every row of every table (`business_state`: timestamps and surrogate ids aside)
and the stats documents as JSON text (timings aside). Cycles: random ones (tests/strategies.py:
voids, replacements, chains spanning cycles, carry-overs, refunds, holds, DMR, bad data) and
generated ones (synth, with its error mix), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.reliability.harness import VOLATILE_DOCUMENT_KEYS, business_state, diff, wipe
from tests.strategies import cycle_documents

from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.synth.cycle import generate_cycle

EXAMPLES = int(os.environ.get("PAYMENT_PARTITION_EXAMPLES", "15"))
COUNTS = (2, 7, 64)


def _document_text(document: dict[str, Any]) -> str:
    kept = {k: v for k, v in document.items() if k not in VOLATILE_DOCUMENT_KEYS}
    return json.dumps(kept, default=str)


def _runs(engine: Engine, event_id: str, partitions: int) -> dict[str, Any]:
    """Dry Run then Final Run; the stats documents and every table after each."""
    seen: dict[str, Any] = {}
    for mode in ("dry-run", "final"):
        outcome = run_payment_event(engine, event_id, mode, partitions=partitions)  # type: ignore[arg-type]
        seen[f"{mode} exit"] = (outcome.exit_code, outcome.message)
        seen[f"{mode} document"] = _document_text(outcome.document)
        seen[f"{mode} tables"] = business_state(engine)
    return seen


def _assert_same(whole: dict[str, Any], split: dict[str, Any], partitions: int) -> None:
    for part, value in whole.items():
        if part.endswith("tables"):
            assert split[part] == value, f"{partitions} partitions, {part}:\n" + diff(
                value, split[part]
            )
        else:
            assert split[part] == value, f"{partitions} partitions, {part}"


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
@given(drawn=cycle_documents(), partitions=st.sampled_from(COUNTS))
def test_random_cycles_split_into_partitions_give_the_same_results(
    engine: Engine, drawn: tuple[dict[str, list[dict[str, Any]]], str], partitions: int
) -> None:
    documents, event_id = drawn
    wipe(engine)
    load_documents(engine, documents)
    whole = _runs(engine, event_id, 1)
    wipe(engine)
    load_documents(engine, documents)
    _assert_same(whole, _runs(engine, event_id, partitions), partitions)


@pytest.mark.parametrize("event_type", ["Provider", "DMR"])
def test_a_generated_cycle_in_seven_partitions_gives_the_same_results(
    engine: Engine, event_type: str
) -> None:
    generate_cycle(engine, claims=1_500, seed=23, event_id="PE-P", event_type=event_type)  # type: ignore[arg-type]
    whole = _runs(engine, "PE-P", 1)
    assert whole["final exit"][0] in (0, 2)
    wipe(engine)
    generate_cycle(engine, claims=1_500, seed=23, event_id="PE-P", event_type=event_type)  # type: ignore[arg-type]
    _assert_same(whole, _runs(engine, "PE-P", 7), 7)
