"""A run's events (both databases): a Final Run that fails (an injected fault after its events
were written) or is SIGKILLed there sends nothing; the one that pays writes
`payment_event.finalized` once and one `payment.issued` per register row, in its transaction, and
the consumer applies each once with the register's amounts. Every payload written matches its
JSON schema in docs/events.md, and no payload carries a bank number or a member's identity."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from sqlalchemy import Engine, select
from tests.messaging.support import (
    Names,
    applied,
    consume_until_idle,
    declare_queues,
    outbox_state,
    post_claims,
    relay_until_empty,
)
from tests.reliability.harness import SIGKILLED, run_cli, wait_for_backends_gone

from paymentprocess.service.messaging.relay import RelayConfig
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

pytestmark = pytest.mark.broker
EVENTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
EVENT = "PE-1"


def documented_schemas() -> dict[str, Any]:
    """topic → the JSON schema under its `### \\`topic\\`` heading in docs/events.md."""
    text = EVENTS_DOC.read_text(encoding="utf-8")
    found = re.findall(r"^### `([a-z_.]+)`\n.*?```json\n(.*?)```", text, re.S | re.M)
    return {topic: json.loads(schema) for topic, schema in found}


def outbox(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    box = t.outbox_event
    with engine.connect() as conn:
        rows = conn.execute(select(box.c.topic, box.c.payload).order_by(box.c.outbox_id)).all()
    return [(topic, payload) for topic, payload in rows]


def test_a_final_runs_events_appear_once_and_a_failed_ones_never(
    db_uri: str, engine: Engine, names: Names, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_cycle(engine, 200, 5, event_id=EVENT)
    assert run_payment_event(engine, EVENT, "dry-run").exit_code == 0
    assert [topic for topic, _ in outbox(engine)] == ["payment_event.dry_run_completed"]

    monkeypatch.setenv("PAYMENT_FAULT_AT", "final:after-events")
    failed = run_payment_event(engine, EVENT, "final")
    monkeypatch.delenv("PAYMENT_FAULT_AT")
    assert failed.exit_code == 1
    assert "InjectedFaultError" in failed.message
    killed = run_cli(
        db_uri,
        "run",
        "-m",
        "final",
        "-p",
        EVENT,
        cwd=tmp_path,
        PAYMENT_FAULT_AT="kill:final:after-events",
    )
    assert killed.returncode == SIGKILLED
    wait_for_backends_gone(db_uri)
    assert [topic for topic, _ in outbox(engine)] == ["payment_event.dry_run_completed"]

    paid = run_payment_event(engine, EVENT, "final")
    assert paid.exit_code == 0, paid.message
    assert run_payment_event(engine, EVENT, "final").exit_code == 0  # "already Final": no events
    post_claims(engine, 0, 3)  # intake beside it
    events = outbox(engine)
    with engine.connect() as conn:
        register = {
            r.payment_id: r.amount
            for r in conn.execute(
                select(t.payment_register.c.payment_id, t.payment_register.c.amount).where(
                    t.payment_register.c.payment_event_id == EVENT
                )
            )
        }
    topics = [topic for topic, _ in events]
    assert topics.count("payment_event.finalized") == 1
    assert topics.count("payment.issued") == len(register) > 0
    assert topics.count("claim.created") == 3

    schemas = documented_schemas()
    assert set(topics) <= set(schemas)
    for topic, payload in events:
        jsonschema_rs.validator_for(schemas[topic]).validate(payload)
        text = json.dumps(payload).lower()
        for forbidden in ("routing", "account", "member", "bank"):
            assert forbidden not in text, (topic, payload)
    finalized = next(p for topic, p in events if topic == "payment_event.finalized")
    assert finalized["payments"] == len(register)
    assert finalized["totals"] == paid.document["totals"]

    declare_queues(names)
    relay_until_empty(engine, RelayConfig(names.broker, batch_size=50, until_empty=True))
    assert outbox_state(engine) == (len(events), len(events), 0)
    consume_until_idle(engine, names, idle=1.0)
    paid_cents = int(str(finalized["totals"]["paid"]).replace(".", ""))
    assert applied(engine, names.queue, "payment_event.finalized") == {EVENT: [paid_cents]}
    assert applied(engine, names.queue, "payment.issued") == {
        pid: [amount] for pid, amount in register.items()
    }
    assert len(applied(engine, names.queue, "payment_event.dry_run_completed")) == 1
