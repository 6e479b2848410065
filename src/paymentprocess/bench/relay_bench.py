"""`bench relay`: how fast one relay drains a backlog — N `claim.created`-shaped events already
in the outbox of a throwaway database beside `--db-uri`, published with confirms to a throwaway
exchange and a durable queue on PAYMENT_BROKER_URL (both deleted at the end). The relay runs in
this process (`--until-empty`); events per second, and the CPU the process used per event."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import psutil

from paymentprocess.bench.databases import throwaway_database
from paymentprocess.bench.machine import versions
from paymentprocess.bench.relay_watch import sink_topology
from paymentprocess.bench.report import BenchReport
from paymentprocess.config import load_settings
from paymentprocess.service.messaging.backlog import outbox_backlog
from paymentprocess.service.messaging.broker import BrokerConfig
from paymentprocess.service.messaging.relay import RelayConfig, run_relay
from paymentprocess.storage.database import create_engine_for, unit_of_work, utcnow
from paymentprocess.storage.outbox import add_events

CHUNK = 5000


def _payload(n: int) -> dict[str, object]:
    return {
        "version": 1,
        "claim_id": f"B{n:09d}",
        "provider_npi": "1000000001",
        "net_fee": "81.25",
        "idempotency_key": None,
    }


def _fill(uri: str, events: int) -> None:
    engine = create_engine_for(uri)
    try:
        with unit_of_work(engine) as uow:
            for start in range(0, events, CHUNK):
                numbers = range(start, min(start + CHUNK, events))
                batch = [("claim.created", _payload(n), f"B{n:09d}") for n in numbers]
                add_events(uow.conn, batch, created_at=utcnow())
            uow.commit()
    finally:
        engine.dispose()


def bench_relay(
    db_uri: str, *, events: int, batch_size: int, say: Callable[[str], None] = print
) -> BenchReport:
    report = BenchReport("relay")
    broker = BrokerConfig(load_settings().broker_url, f"pp-bench-{uuid.uuid4().hex[:8]}")
    queue = f"{broker.exchange}-sink"
    say(f"relay: {events:,} events, batches of {batch_size}, to {broker.where}")
    with throwaway_database(db_uri, "relay") as uri:
        _fill(uri, events)
        engine = create_engine_for(uri)
        report.versions = versions(engine)
        asyncio.run(sink_topology(broker, queue, delete=False))
        try:
            me = psutil.Process()
            cpu0, t0 = sum(me.cpu_times()[:2]), time.perf_counter()
            config = RelayConfig(broker, batch_size=batch_size, until_empty=True)
            stats = asyncio.run(run_relay(engine, config, asyncio.Event()))
            seconds, cpu = time.perf_counter() - t0, sum(me.cpu_times()[:2]) - cpu0
            left = outbox_backlog(engine).unsent
        finally:
            engine.dispose()
            asyncio.run(sink_topology(broker, queue, delete=True))
    report.data = {"events": events, "batch size": batch_size, "queue": "one durable queue"}
    table = report.table(
        "one relay draining the outbox (publisher confirms, persistent messages)",
        "events published", "batches", "seconds", "events/s", "relay CPU ms per event", "left",
    )  # fmt: skip
    table.add(stats.published, stats.batches, round(seconds, 2),
              round(stats.published / max(seconds, 1e-9), 1),
              round(1000 * cpu / max(stats.published, 1), 3), left)  # fmt: skip
    report.notes.append(
        "The relay, the database and the broker share the machine's cores; the relay's CPU "
        "is this process's (leasing, JSON, AMQP framing), not the broker's or the database's."
    )
    report.finish()
    return report
