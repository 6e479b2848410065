"""`paymentprocess relay`: the outbox published to the broker, each row marked sent only after
the broker confirmed it (docs/events.md, "Delivery").

One cycle: lease a batch (storage.outbox: in id order, one event per subject at a time, rows no
other relay holds), publish every row as a persistent message (`message_id` = the outbox id,
routing key = its topic) on a channel with publisher confirms, wait for all the confirms, mark
the confirmed rows sent, give back the others. Any number of relays may run at once. A relay
that dies after the broker confirmed and before it marked sends that batch again (the consumer
drops the duplicates by message_id); one that loses the broker or the database waits with
backoff and jitter and reconnects, and its leased rows go back (or fall to another relay when the
lease runs out). SIGTERM lets the batch in flight finish, then the relay exits.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import aio_pika
import orjson
from aio_pika.abc import AbstractExchange
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from paymentprocess.faults import checkpoint
from paymentprocess.logs import get_logger
from paymentprocess.service.messaging.backlog import outbox_backlog
from paymentprocess.service.messaging.backoff import Backoff
from paymentprocess.service.messaging.broker import BrokerConfig, connect, events_exchange
from paymentprocess.storage import outbox
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.outbox import OutboxRow

log = get_logger(__name__)

CONFIRM_TIMEOUT = 15.0  # seconds a batch waits for its confirms before it counts as failed
REPORT_EVERY = 10.0  # seconds between two `relay_progress` log lines


class NotConfirmedError(RuntimeError):
    """Some messages of a batch were not confirmed (nacked, or the channel went away)."""


FAILURES = (
    AMQPError,
    ChannelInvalidStateError,
    NotConfirmedError,
    OSError,
    TimeoutError,
    SQLAlchemyError,
)


@dataclass(frozen=True)
class RelayConfig:
    broker: BrokerConfig
    batch_size: int = 500
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    max_batches: int | None = None  # stop after this many non-empty batches (tests, benches)
    until_empty: bool = False  # stop when the outbox has nothing left to lease
    confirm_timeout: float = CONFIRM_TIMEOUT


@dataclass
class RelayStats:
    owner: str
    published: int = 0
    batches: int = 0
    failures: int = 0
    started: float = field(default_factory=time.monotonic)


def new_owner() -> str:
    """This relay's name in the lease column: host, process, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_relay(engine: Engine, config: RelayConfig, stop: asyncio.Event) -> RelayStats:
    """Relay until `stop` is set (or the limits of `config` are reached); never raises for a
    broker or database that is down: it waits and tries again."""
    stats = RelayStats(new_owner())
    backoff = Backoff()
    log.info("relay_started", owner=stats.owner, broker=config.broker.where)
    last_report = time.monotonic()
    while not stop.is_set() and not _done(stats, config):
        try:
            connection = await connect(config.broker)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await events_exchange(channel, config.broker)
                backoff.reset()
                while not stop.is_set() and not _done(stats, config):
                    sent = await _one_batch(engine, exchange, config, stats)
                    if time.monotonic() - last_report >= REPORT_EVERY:
                        await _report(engine, stats)
                        last_report = time.monotonic()
                    if sent == 0:
                        if config.until_empty:
                            return await _finish(engine, stats)
                        await _pause(stop, config.poll_seconds)
        except FAILURES as exc:
            stats.failures += 1
            delay = backoff.next_delay()
            log.warning("relay_retry", error=type(exc).__name__, seconds=round(delay, 2))
            await _pause(stop, delay)
    return await _finish(engine, stats)


def _done(stats: RelayStats, config: RelayConfig) -> bool:
    return config.max_batches is not None and stats.batches >= config.max_batches


async def _one_batch(
    engine: Engine, exchange: AbstractExchange, config: RelayConfig, stats: RelayStats
) -> int:
    rows = await asyncio.to_thread(_lease, engine, stats.owner, config)
    if not rows:
        return 0
    checkpoint("relay:after-lease")
    confirmed, failed = await _publish(exchange, rows, config.confirm_timeout)
    checkpoint("relay:after-confirm")
    await asyncio.to_thread(_settle, engine, stats.owner, confirmed, failed)
    stats.batches += 1
    stats.published += len(confirmed)
    log.debug("relay_batch", rows=len(rows), confirmed=len(confirmed), failed=len(failed))
    if failed:
        raise NotConfirmedError(f"{len(failed)} of {len(rows)} messages not confirmed")
    return len(confirmed)


def _lease(engine: Engine, owner: str, config: RelayConfig) -> list[OutboxRow]:
    with unit_of_work(engine) as uow:
        rows = outbox.lease_batch(uow.conn, owner, config.batch_size, config.lease_seconds)
        uow.commit()
    return rows


def _settle(engine: Engine, owner: str, confirmed: Sequence[int], failed: Sequence[int]) -> None:
    with unit_of_work(engine) as uow:
        outbox.mark_published(uow.conn, confirmed)
        outbox.release(uow.conn, failed, owner)
        uow.commit()


async def _publish(
    exchange: AbstractExchange, rows: Sequence[OutboxRow], timeout: float
) -> tuple[list[int], list[int]]:
    """Publish every row, then wait for all the confirms together: (confirmed ids, failed ids)."""
    sends = [
        exchange.publish(_message(row), routing_key=row.topic, mandatory=False) for row in rows
    ]
    try:
        results = await asyncio.wait_for(asyncio.gather(*sends, return_exceptions=True), timeout)
    except TimeoutError:  # no answer in time: none counts as confirmed (they go out again)
        return [], [row.outbox_id for row in rows]
    confirmed: list[int] = []
    failed: list[int] = []
    for row, result in zip(rows, results, strict=True):
        (failed if isinstance(result, BaseException) else confirmed).append(row.outbox_id)
    return confirmed, failed


def _message(row: OutboxRow) -> aio_pika.Message:
    return aio_pika.Message(
        orjson.dumps(row.payload),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(row.outbox_id),
        type=row.topic,
        timestamp=row.created_at,
        headers={"ordering_key": row.ordering_key},
        app_id="paymentprocess",
    )


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return


async def _report(engine: Engine, stats: RelayStats) -> None:
    """One structured log line: what this relay sent, and what waits (the lag)."""
    try:
        waiting = await asyncio.to_thread(outbox_backlog, engine)
    except SQLAlchemyError:
        waiting = None
    elapsed = max(time.monotonic() - stats.started, 1e-9)
    log.info(
        "relay_progress",
        owner=stats.owner,
        published=stats.published,
        batches=stats.batches,
        failures=stats.failures,
        per_second=round(stats.published / elapsed, 1),
        unsent=waiting.unsent if waiting else None,
        lag_seconds=round(waiting.lag_seconds(), 3) if waiting else None,
    )


async def _finish(engine: Engine, stats: RelayStats) -> RelayStats:
    await _report(engine, stats)
    log.info("relay_stopped", owner=stats.owner, published=stats.published)
    return stats
