"""Helpers of the messaging tests: claims to post, relays as real processes, the consumer run
until the queue is idle, what the consumer applied, and a look at the outbox."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import Pending, Submitted, submit_claims
from paymentprocess.service.messaging.backlog import outbox_backlog
from paymentprocess.service.messaging.broker import BrokerConfig, connect, events_exchange
from paymentprocess.service.messaging.consumer import ConsumerConfig, ConsumerStats, run_consumer
from paymentprocess.service.messaging.queues import ConsumerQueues, declare
from paymentprocess.service.messaging.relay import RelayConfig, RelayStats, run_relay
from paymentprocess.storage import tables as t


@dataclass(frozen=True)
class Names:
    """One test's broker names (deleted by the `names` fixture)."""

    url: str
    exchange: str
    queue: str
    first_delay: float = 0.05
    max_attempts: int = 3

    @property
    def broker(self) -> BrokerConfig:
        return BrokerConfig(self.url, self.exchange)

    @property
    def queues(self) -> ConsumerQueues:
        return ConsumerQueues(self.queue, self.first_delay, self.max_attempts)

    def all_queues(self) -> list[str]:
        return [*self.queues.all_names(), f"{self.exchange}.unrouted"]


def declare_queues(names: Names) -> None:
    """The consumer's queues exist before anything is published (as `consume` would make them)."""

    async def go() -> None:
        connection = await connect(names.broker)
        async with connection:
            channel = await connection.channel()
            await declare(channel, await events_exchange(channel, names.broker), names.queues)

    asyncio.run(go())


def consume_until_idle(engine: Engine, names: Names, idle: float = 1.5) -> ConsumerStats:
    config = ConsumerConfig(names.broker, names.queues, until_idle=idle)
    return asyncio.run(run_consumer(engine, config, asyncio.Event()))


def relay_until_empty(engine: Engine, config: RelayConfig) -> RelayStats:
    return asyncio.run(run_relay(engine, config, asyncio.Event()))


def claim_body(number: int, rng: random.Random) -> dict[str, object]:
    allowed = rng.randint(1000, 50000)
    return {
        "claim_reference": f"msg-{number}",
        "lines": [
            {
                "service_date": "2024-03-01",
                "submitted_procedure": "D4346",
                "plan_group": "GRP-1000",
                "subscriber_number": f"{number:010d}",
                "provider_npi": f"1{rng.randrange(30):09d}",
                "provider_fees": _money(allowed + rng.randint(0, 9999)),
                "allowed_fees": _money(allowed),
                "member_coinsurance": _money(rng.randint(0, allowed // 5)),
                "member_copay": "0.00",
            }
        ],
    }


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def post_claims(
    engine: Engine, first: int, count: int, *, per_batch: int = 50, seed: int = 7
) -> dict[str, int]:
    """Post claims `first` … `first+count-1` in group commits; claim id → net fee in cents."""
    rng = random.Random(seed + first)
    fees: dict[str, int] = {}
    for start in range(first, first + count, per_batch):
        numbers = range(start, min(start + per_batch, first + count))
        items = [Pending.of(parse_claim(claim_body(n, rng))) for n in numbers]
        for outcome in submit_claims(engine, items):
            assert isinstance(outcome, Submitted), outcome
            net = outcome.body["net_fee"]
            fees[outcome.claim_id] = int(net.replace(".", ""))
    return fees


def start_relay(db_uri: str, names: Names, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """`paymentprocess relay` as a real process (short lease and pause, small batches), its log
    lines in the file `log` (see `started`)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    settings = {
        "PAYMENT_DB_URI": db_uri,
        "PAYMENT_BROKER_URL": names.url,
        "PAYMENT_BROKER_EXCHANGE": names.exchange,
        "PAYMENT_RELAY_BATCH_SIZE": "100",
        "PAYMENT_RELAY_LEASE_SECONDS": "1",
        "PAYMENT_RELAY_POLL_SECONDS": "0.05",
        "PAYMENT_LOG_LEVEL": "INFO",
    }
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "paymentprocess", "relay"],
            env={**clean, **settings, **env},
            stdout=subprocess.PIPE,
            stderr=sink,
        )


def started(proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the relay logged `relay_started` (its SIGTERM handler is set by then)."""
    wait_for(
        lambda: proc.poll() is not None or b"relay_started" in log.read_bytes(),
        60,
        "the relay to start",
    )


class Consuming:
    """The consumer in a thread of its own while the test goes on; `finish()` lets it run until
    the queue has been idle for `idle` seconds and returns its stats."""

    def __init__(self, engine: Engine, names: Names, idle: float = 1.5) -> None:
        self._pool = ThreadPoolExecutor(1)
        self._stop = threading.Event()
        self._future = self._pool.submit(self._run, engine, names, idle)

    def _run(self, engine: Engine, names: Names, idle: float) -> ConsumerStats:
        stats = ConsumerStats()
        while not self._stop.is_set():  # idle periods while the test still posts are fine
            more = consume_until_idle(engine, names, idle)
            for name in ("delivered", "applied", "duplicates", "ignored", "retried"):
                setattr(stats, name, getattr(stats, name) + getattr(more, name))
            stats.dead_lettered += more.dead_lettered
        return stats

    def finish(self) -> ConsumerStats:
        self._stop.set()
        try:
            return self._future.result(timeout=120)
        finally:
            self._pool.shutdown()


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    """SIGTERM, then the exit code and what the process printed on stdout."""
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=30)
    return proc.returncode, stdout.decode()


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def all_sent(engine: Engine) -> bool:
    return outbox_backlog(engine).unsent == 0


def applied(engine: Engine, consumer: str, event_type: str) -> dict[str, list[int | None]]:
    """subject id → the amounts of every effect the consumer applied for it."""
    eff = t.consumer_effect
    with engine.connect() as conn:
        rows = conn.execute(
            select(eff.c.subject_id, eff.c.amount).where(
                eff.c.consumer == consumer, eff.c.event_type == event_type
            )
        ).all()
    out: dict[str, list[int | None]] = {}
    for subject, amount in rows:
        out.setdefault(subject, []).append(amount)
    return out


def outbox_state(engine: Engine) -> tuple[int, int, int]:
    """(rows, rows published, rows still leased)."""
    box = t.outbox_event
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(box)).scalar_one(),
            conn.execute(select(func.count()).where(box.c.published_at.is_not(None))).scalar_one(),
            conn.execute(select(func.count()).where(box.c.claimed_by.is_not(None))).scalar_one(),
        )
