"""`paymentprocess consume --queue NAME`: the reference consumer of the payments side.

It declares its queues (queues.py), takes messages one at a time and applies each at most once
(effects.py: the message_id and the effect in one transaction), and acknowledges a message only
after that transaction committed — so a consumer that dies mid-message gets it again and the
dedupe table makes the second delivery a no-op. A message it cannot apply is published (with
confirms) to the next retry queue with its attempt count and error in its headers
(`x-attempts`, `x-last-error`), and after `max_attempts` deliveries to the dead-letter queue with
`x-dlq-reason`; only then is the original acknowledged. A database that does not answer is not
the message's fault: the message goes back to the queue unharmed and the consumer reconnects
after a backoff.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from paymentprocess.logs import get_logger
from paymentprocess.service.messaging.backoff import Backoff
from paymentprocess.service.messaging.broker import BrokerConfig, connect, events_exchange
from paymentprocess.service.messaging.effects import EventFormatError, apply_once
from paymentprocess.service.messaging.queues import ConsumerQueues, declare
from paymentprocess.service.messaging.relay import FAILURES

log = get_logger(__name__)

_BROKER_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
)


_COUNTER = {"applied": "applied", "duplicate": "duplicates", "ignored": "ignored"}


@dataclass(frozen=True)
class ConsumerConfig:
    broker: BrokerConfig
    queues: ConsumerQueues
    prefetch: int = 50
    until_idle: float | None = None  # stop after this many seconds without a message


@dataclass
class ConsumerStats:
    delivered: int = 0
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    retried: int = 0
    dead_lettered: int = 0
    started: float = field(default_factory=time.monotonic)


async def run_consumer(
    engine: Engine, config: ConsumerConfig, stop: asyncio.Event
) -> ConsumerStats:
    """Consume until `stop` is set (or `until_idle` seconds pass without a message)."""
    stats, backoff = ConsumerStats(), Backoff()
    log.info("consumer_started", queue=config.queues.name, broker=config.broker.where)
    while not stop.is_set():
        try:
            connection = await connect(config.broker)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                await channel.set_qos(prefetch_count=config.prefetch)
                exchange = await events_exchange(channel, config.broker)
                queue = await declare(channel, exchange, config.queues)
                inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
                tag = await queue.consume(inbox.put)
                backoff.reset()
                await _serve(engine, channel, inbox, config, stats, stop)
                await queue.cancel(tag)
                break
        except FAILURES as exc:
            delay = backoff.next_delay()
            log.warning("consumer_retry", error=type(exc).__name__, seconds=round(delay, 2))
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                continue
    log.info("consumer_stopped", queue=config.queues.name, **_counts(stats))
    return stats


async def _serve(
    engine: Engine,
    channel: AbstractChannel,
    inbox: asyncio.Queue[AbstractIncomingMessage],
    config: ConsumerConfig,
    stats: ConsumerStats,
    stop: asyncio.Event,
) -> None:
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            getting = asyncio.ensure_future(inbox.get())
            done, _ = await asyncio.wait(
                {getting, stopping}, timeout=config.until_idle, return_when="FIRST_COMPLETED"
            )
            if getting not in done:
                getting.cancel()
                return  # stopped, or idle for `until_idle` seconds
            await _handle(engine, channel, getting.result(), config, stats)
    finally:
        stopping.cancel()


async def _handle(
    engine: Engine,
    channel: AbstractChannel,
    message: AbstractIncomingMessage,
    config: ConsumerConfig,
    stats: ConsumerStats,
) -> None:
    stats.delivered += 1
    event_type = message.type or message.routing_key or ""
    try:
        if not message.message_id:
            raise EventFormatError(f"{event_type}: the message has no message_id")
        outcome = await asyncio.to_thread(
            apply_once, engine, config.queues.name, message.message_id, event_type, message.body
        )
    except SQLAlchemyError:
        await message.nack(requeue=True)  # the database's trouble, not the message's
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the effect: retry, then dead-letter
        await _retry_or_dead_letter(channel, message, config.queues, exc, stats)
        return
    counter = _COUNTER[outcome]
    setattr(stats, counter, getattr(stats, counter) + 1)
    await message.ack()


async def _retry_or_dead_letter(
    channel: AbstractChannel,
    message: AbstractIncomingMessage,
    queues: ConsumerQueues,
    exc: Exception,
    stats: ConsumerStats,
) -> None:
    headers: dict[str, Any] = {
        k: v for k, v in (message.headers or {}).items() if k not in _BROKER_HEADERS
    }
    attempts = int(headers.get("x-attempts") or 0) + 1
    lines = str(exc).strip().splitlines()
    reason = f"{type(exc).__name__}: {lines[0] if lines else ''}"[:500]
    headers.update({"x-attempts": attempts, "x-last-error": reason})
    if attempts < queues.max_attempts:
        target = queues.retry_queue(attempts)
        stats.retried += 1
    else:
        target = queues.dead_letters
        headers["x-dlq-reason"] = reason
        stats.dead_lettered += 1
        log.warning(
            "consumer_dead_letter", queue=queues.name, message_id=message.message_id, reason=reason
        )
    copy = aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        app_id=message.app_id,
    )
    await channel.default_exchange.publish(copy, routing_key=target)  # confirmed
    await message.ack()


def _counts(stats: ConsumerStats) -> dict[str, int]:
    return {
        "delivered": stats.delivered,
        "applied": stats.applied,
        "duplicates": stats.duplicates,
        "ignored": stats.ignored,
        "retried": stats.retried,
        "dead_lettered": stats.dead_lettered,
    }
