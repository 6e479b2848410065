"""The consumer's retries and dead letters, and the relay's order per subject (both databases).

- A poison message (not JSON; a version the consumer does not read) is delivered `max_attempts`
  times through the growing-delay retry queues, then lands in the dead-letter queue with its
  reason in `x-dlq-reason`; a good message beside it is applied once, even when the broker
  delivers it twice.
- Several events of one subject leave in outbox order, whichever batch carries them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import pytest
from sqlalchemy import Engine
from tests.messaging.support import (
    Names,
    applied,
    consume_until_idle,
    declare_queues,
    outbox_state,
    relay_until_empty,
)

from paymentprocess.service.messaging.broker import connect, events_exchange
from paymentprocess.service.messaging.relay import RelayConfig
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.outbox import add_events

pytestmark = pytest.mark.broker
GOOD = b'{"version": 1, "claim_id": "C-1", "provider_npi": "1000000001", "net_fee": "12.34"}'


async def _publish(names: Names, messages: list[tuple[str, bytes]]) -> None:
    connection = await connect(names.broker)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await events_exchange(channel, names.broker)
        for message_id, body in messages:
            await exchange.publish(
                aio_pika.Message(body, message_id=message_id, type="claim.created"),
                routing_key="claim.created",
            )


async def _drain(names: Names, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message waiting in `queue` (acknowledged: the queue is left empty)."""
    got = []
    connection = await connect(names.broker)
    async with connection:
        channel = await connection.channel()
        source = await channel.get_queue(queue, ensure=True)
        while (message := await source.get(fail=False)) is not None:
            await message.ack()
            got.append(message)
    return got


def test_a_poison_message_goes_through_the_retries_to_the_dead_letters(
    engine: Engine, names: Names
) -> None:
    declare_queues(names)
    poison = [
        ("bad-json", b"{not json"),
        ("bad-version", GOOD.replace(b'"version": 1', b'"version": 9')),
    ]
    asyncio.run(_publish(names, [("good-1", GOOD), *poison, ("good-1", GOOD)]))
    stats = consume_until_idle(engine, names, idle=1.0)
    assert applied(engine, names.queue, "claim.created") == {"C-1": [1234]}
    assert (stats.applied, stats.duplicates) == (1, 1)
    attempts = names.max_attempts
    assert stats.retried == 2 * (attempts - 1)
    assert stats.dead_lettered == 2
    assert stats.delivered == 2 + 2 * attempts
    dead = {m.message_id: m for m in asyncio.run(_drain(names, names.queues.dead_letters))}
    assert set(dead) == {"bad-json", "bad-version"}
    headers: dict[str, Any] = dict(dead["bad-json"].headers)
    assert headers["x-attempts"] == attempts
    assert str(headers["x-dlq-reason"]).startswith(
        "EventFormatError: claim.created: body is not JSON"
    )
    assert dead["bad-json"].body == b"{not json"
    assert dead["bad-json"].type == "claim.created"
    reason = str(dict(dead["bad-version"].headers)["x-dlq-reason"])
    assert reason == (
        "EventFormatError: claim.created: field 'version' is 9; this consumer reads version 1"
    )
    for n in range(1, attempts):  # the retry queues are empty again
        assert asyncio.run(_drain(names, names.queues.retry_queue(n))) == []


async def _order_queue(names: Names) -> None:
    connection = await connect(names.broker)
    async with connection:
        channel = await connection.channel()
        exchange = await events_exchange(channel, names.broker)
        await (await channel.declare_queue(names.queue, durable=True)).bind(exchange, "#")


def test_one_subjects_events_leave_in_order(engine: Engine, names: Names) -> None:
    asyncio.run(_order_queue(names))  # the fixture's queue name, bound to everything
    with unit_of_work(engine) as uow:  # subjects A, B, C interleaved, five events each
        events = [("test.event", {"n": n}, "ABC"[n % 3]) for n in range(15)]
        add_events(uow.conn, events, created_at=utcnow())
        uow.commit()
    config = RelayConfig(names.broker, batch_size=100, poll_seconds=0.05, until_empty=True)
    stats = relay_until_empty(engine, config)
    assert (stats.published, stats.batches) == (15, 5)  # one event per subject per batch
    assert outbox_state(engine) == (15, 15, 0)
    got = asyncio.run(_drain(names, names.queue))
    by_subject: dict[str, list[int]] = {}
    for message in got:
        by_subject.setdefault(str(dict(message.headers)["ordering_key"]), []).append(
            int(str(message.message_id))
        )
    assert by_subject == {k: sorted(v) for k, v in by_subject.items()}
    assert sorted(len(v) for v in by_subject.values()) == [5, 5, 5]
