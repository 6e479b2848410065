"""A relay is SIGKILLed in the middle of its first batch (after the broker confirmed it, before
the rows were marked sent); then two relays publish at once while the rest of 2,000 claims are
posted. The consumer sees every claim, applies each exactly once, and drops the resent
duplicates; no outbox row is left unsent, and SIGTERM stops each relay cleanly (both databases).

The doomed relay runs alone until it dies: with a second relay beside it from the start, a slow
start (a loaded machine) let the other take every row, and the doomed one never had a batch."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.messaging.support import (
    Consuming,
    Names,
    all_sent,
    applied,
    declare_queues,
    outbox_state,
    post_claims,
    start_relay,
    started,
    stop,
    wait_for,
)

from paymentprocess.storage import tables as t

pytestmark = pytest.mark.broker
CLAIMS = 2000


def test_a_killed_relay_loses_nothing_and_the_consumer_applies_each_claim_once(
    db_uri: str, engine: Engine, names: Names, tmp_path: Path
) -> None:
    declare_queues(names)
    logs = {name: tmp_path / f"{name}.log" for name in ("doomed", "steady", "restarted")}
    doomed = start_relay(db_uri, names, logs["doomed"], PAYMENT_FAULT_AT="kill:relay:after-confirm")
    steady = restarted = None
    consuming = Consuming(engine, names)
    try:
        fees = post_claims(engine, 0, CLAIMS // 2)
        doomed.wait(timeout=90)  # it dies in its first batch that had rows
        assert doomed.returncode == -signal.SIGKILL
        steady = start_relay(db_uri, names, logs["steady"])
        restarted = start_relay(db_uri, names, logs["restarted"])
        fees |= post_claims(engine, CLAIMS // 2, CLAIMS // 2)
        wait_for(lambda: all_sent(engine), 90, "every outbox row published")
        for relay, log in ((steady, logs["steady"]), (restarted, logs["restarted"])):
            assert relay is not None
            started(relay, log)
            code, said = stop(relay)
            assert code == 0, said
            assert said.startswith("published ")
    finally:
        stats = consuming.finish()
        for proc in (doomed, steady, restarted):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert outbox_state(engine) == (CLAIMS, CLAIMS, 0)
    effects = applied(engine, names.queue, "claim.created")
    assert len(fees) == CLAIMS
    assert effects == {claim_id: [cents] for claim_id, cents in fees.items()}
    assert stats.applied == CLAIMS
    # the killed relay's confirmed batch went out again after its lease ran out
    assert stats.duplicates >= 1
    assert stats.delivered == stats.applied + stats.duplicates
    with engine.connect() as conn:
        stored = set(conn.execute(select(t.claim_fin_core.c.claim_core_id)).scalars())
    assert stored == set(effects)
