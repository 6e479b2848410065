"""`paymentprocess consume --queue NAME` as a real process (both databases): it declares its
queues, applies what the relay published (one claim), and on SIGTERM stops, exits 0 and says
what it did; its log names the broker without the password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.messaging.support import (
    Names,
    applied,
    post_claims,
    relay_until_empty,
    stop,
    wait_for,
)

from paymentprocess.service.messaging.relay import RelayConfig

pytestmark = pytest.mark.broker


def test_consume_applies_what_was_published_and_stops_on_sigterm(
    db_uri: str, engine: Engine, names: Names, tmp_path: Path
) -> None:
    log = tmp_path / "consume.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    env = {
        **clean,
        "PAYMENT_DB_URI": db_uri,
        "PAYMENT_BROKER_URL": names.url,
        "PAYMENT_BROKER_EXCHANGE": names.exchange,
        "PAYMENT_CONSUMER_RETRY_SECONDS": str(names.first_delay),
        "PAYMENT_CONSUMER_MAX_ATTEMPTS": str(names.max_attempts),
    }
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paymentprocess", "consume", "--queue", names.queue],
            env=env,
            stdout=subprocess.PIPE,
            stderr=sink,
        )
    try:
        wait_for(
            lambda: proc.poll() is not None or b"consumer_started" in log.read_bytes(),
            60,
            "the consumer to start",
        )
        fees = post_claims(engine, 0, 1)
        relay_until_empty(engine, RelayConfig(names.broker, until_empty=True))
        wait_for(lambda: bool(applied(engine, names.queue, "claim.created")), 30, "the effect")
        code, said = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, log.read_text()
    assert said.strip() == (
        "1 delivered: 1 applied, 0 duplicates, 0 ignored, 0 retried, 0 dead-lettered"
    )
    assert applied(engine, names.queue, "claim.created") == {c: [f] for c, f in fees.items()}
    text = log.read_text()
    assert "amqp://guest:***@" in text
    assert "guest:guest" not in text
