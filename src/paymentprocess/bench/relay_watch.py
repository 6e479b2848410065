"""`bench intake --with-relay`: a real `paymentprocess relay` process beside the intake load.

Before the load: a throwaway exchange and a durable queue bound to it on the broker
(PAYMENT_BROKER_URL), so every event is really written by the broker; the relay publishes the
throwaway database's outbox to it. During the load the backlog (unsent rows, age of the oldest) is
sampled every half second. After the load: how long the relay took to drain what was left, what it
published, and the relay's CPU. The exchange and the queue are deleted at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
from sqlalchemy import Engine

from paymentprocess.bench.cpu import process_tree_cpu
from paymentprocess.config import load_settings
from paymentprocess.service.messaging.backlog import outbox_backlog
from paymentprocess.service.messaging.broker import BrokerConfig, unrouted_name
from paymentprocess.storage.database import create_engine_for

SAMPLE_EVERY = 0.5
DRAIN_LIMIT = 300.0


@dataclass
class RelayWatch:
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (t, unsent, lag s)
    published: int = 0
    drain_s: float = 0.0
    cpu_s: float = 0.0
    seconds: float = 0.0  # from the relay's start to the end of the drain

    @property
    def max_unsent(self) -> int:
        return max((s[1] for s in self.samples), default=0)

    @property
    def max_lag_s(self) -> float:
        return max((s[2] for s in self.samples), default=0.0)


async def sink_topology(broker: BrokerConfig, queue: str, *, delete: bool) -> None:
    """Declare (or delete) a throwaway events exchange and one durable queue taking everything."""
    connection = await aio_pika.connect(broker.url, timeout=10)
    async with connection:
        channel = await connection.channel()
        if delete:
            for name in (queue, unrouted_name(broker)):
                await channel.queue_delete(name)
            for name in (broker.exchange, unrouted_name(broker)):
                await channel.exchange_delete(name)
            return
        exchange = await channel.declare_exchange(
            broker.exchange, aio_pika.ExchangeType.TOPIC, durable=True,
            arguments={"alternate-exchange": unrouted_name(broker)},
        )  # fmt: skip
        await (await channel.declare_queue(queue, durable=True)).bind(exchange, "#")


@contextmanager
def relay_alongside(db_uri: str) -> Iterator[RelayWatch]:
    """Run a relay (and sample the backlog) for the duration of the `with` block, then drain."""
    tag = uuid.uuid4().hex[:8]
    broker = BrokerConfig(load_settings().broker_url, f"pp-bench-{tag}")
    queue = f"{broker.exchange}-sink"
    asyncio.run(sink_topology(broker, queue, delete=False))
    watch, engine = RelayWatch(), create_engine_for(db_uri)
    log = Path(tempfile.mkdtemp(prefix="pp-bench-relay-")) / "relay.log"
    env = {**os.environ, "PAYMENT_BROKER_EXCHANGE": broker.exchange, "PAYMENT_LOG_LEVEL": "INFO"}
    argv = [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, "relay"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=sink)  # noqa: S603
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(engine, watch, stop), daemon=True)
    try:
        while b"relay_started" not in log.read_bytes() and proc.poll() is None:
            time.sleep(0.1)
        started = time.monotonic()
        sampler.start()
        yield watch
        drain_from = time.monotonic()
        while outbox_backlog(engine).unsent and time.monotonic() - drain_from < DRAIN_LIMIT:
            time.sleep(0.2)
        watch.drain_s = time.monotonic() - drain_from
        watch.seconds = time.monotonic() - started
        watch.cpu_s = process_tree_cpu(proc.pid)
    finally:
        stop.set()
        if sampler.is_alive():
            sampler.join()
        with suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        said, _ = proc.communicate(timeout=60)
        watch.published = _published(said.decode())
        engine.dispose()
        asyncio.run(sink_topology(broker, queue, delete=True))


def _sample(engine: Engine, watch: RelayWatch, stop: threading.Event) -> None:
    start = time.monotonic()
    while not stop.wait(SAMPLE_EVERY):
        waiting = outbox_backlog(engine)
        watch.samples.append((time.monotonic() - start, waiting.unsent, waiting.lag_seconds()))


def _published(stdout: str) -> int:
    """N of the relay's last line, `published N events in M batches`."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("published "):
            return int(line.split()[1])
    return 0
