"""The broker connection is cut in the middle of a batch, several times (a TCP proxy between the
relay and the broker drops it after some bytes of publishes): the relay reconnects after a
backoff and every claim still reaches the consumer and is applied exactly once (both databases).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from tests.messaging.proxy import cutting_proxy
from tests.messaging.support import (
    Names,
    applied,
    consume_until_idle,
    declare_queues,
    outbox_state,
    post_claims,
    relay_until_empty,
)

from paymentprocess.service.messaging.broker import BrokerConfig
from paymentprocess.service.messaging.relay import RelayConfig

pytestmark = pytest.mark.broker
CLAIMS = 600
CUTS = 3


def test_cut_connections_lose_nothing_and_apply_nothing_twice(engine: Engine, names: Names) -> None:
    declare_queues(names)
    fees = post_claims(engine, 0, CLAIMS, per_batch=100)
    url = make_url(names.url.replace("amqp://", "postgresql://"))  # only to read host and port
    upstream = (url.host or "127.0.0.1", url.port or 5672)
    with cutting_proxy(upstream, cuts=CUTS, after_bytes=40_000) as proxy:
        through_proxy = names.url.replace(f"{upstream[0]}:{upstream[1]}", f"127.0.0.1:{proxy.port}")
        config = RelayConfig(
            BrokerConfig(through_proxy, names.exchange),
            batch_size=200,
            lease_seconds=30,
            poll_seconds=0.05,
            until_empty=True,
            confirm_timeout=5,
        )
        stats = relay_until_empty(engine, config)
    assert proxy.cuts_done == CUTS  # each cut fell inside a batch of publishes
    assert stats.failures >= CUTS
    assert outbox_state(engine) == (CLAIMS, CLAIMS, 0)
    consumed = consume_until_idle(engine, names)
    assert applied(engine, names.queue, "claim.created") == {c: [f] for c, f in fees.items()}
    assert consumed.applied == CLAIMS
    assert consumed.delivered == consumed.applied + consumed.duplicates
