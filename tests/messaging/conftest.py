"""The real broker for the messaging tests: RabbitMQ at PAYMENT_TEST_BROKER_URL (default
127.0.0.1:5672, guest). Unreachable: skipped, except under CI=true, where it is a failure. Each
test gets its own exchange and queue names (`names`) and deletes them, and only them, at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import aio_pika
import pytest
from tests.messaging.support import Names

BROKER_URL = os.environ.get("PAYMENT_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


async def _reachable(url: str) -> str | None:
    try:
        connection = await aio_pika.connect(url, timeout=5)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable", with its reason
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


@pytest.fixture(scope="session")
def broker_url() -> str:
    problem = asyncio.run(_reachable(BROKER_URL))
    if problem is not None:
        if IN_CI:
            pytest.fail(f"RabbitMQ is required in CI and is unreachable: {problem}")
        pytest.skip(f"RabbitMQ unreachable ({problem}); set CI=true to make this a failure")
    return BROKER_URL


async def _delete(url: str, names: Names) -> None:
    connection = await aio_pika.connect(url, timeout=5)
    async with connection:
        channel = await connection.channel()
        for queue in names.all_queues():
            await channel.queue_delete(queue)
        for exchange in (names.exchange, f"{names.exchange}.unrouted"):
            await channel.exchange_delete(exchange)


@pytest.fixture
def names(broker_url: str) -> Iterator[Names]:
    tag = uuid.uuid4().hex[:10]
    made = Names(broker_url, f"pp-test-{tag}", f"pp-test-{tag}-payments")
    yield made
    asyncio.run(_delete(broker_url, made))
