"""The Redis sliding window on the real Redis: the window slides, every limiter on one prefix
shares it (atomically, under concurrent hits), keys expire with their window, and a Redis that
does not answer makes the limiter fall back to the per-process window, logged once per outage."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import redis
from structlog.testing import capture_logs
from tests.conftest import REDIS_URL
from tests.reliability.intake_support import free_port

from paymentprocess.api.ratelimit import SlidingWindowLimiter
from paymentprocess.api.ratelimit_redis import (
    FallbackLimiter,
    RedisSlidingWindow,
    redis_client,
    shared_or_local,
)


class FakeClock:
    def __init__(self, ms: int = 1_000_000) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def _window(prefix: str, limit: int, window: float, clock: FakeClock | None) -> RedisSlidingWindow:
    return RedisSlidingWindow(
        redis_client(REDIS_URL), limit, window, prefix=prefix, name="test", clock_ms=clock
    )


def test_the_window_slides_on_the_given_clock(redis_prefix: str) -> None:
    clock = FakeClock()
    limiter = _window(redis_prefix, 3, 60, clock)
    first = []
    for _ in range(3):  # one request a second
        first.append(limiter.hit("ip:10.0.0.1"))
        clock.ms += 1000
    assert [(d.allowed, d.remaining, d.reset_after) for d in first] == [
        (True, 2, 60),
        (True, 1, 59),
        (True, 0, 58),
    ]
    denied = limiter.hit("ip:10.0.0.1")  # 3 s after the first
    assert (denied.allowed, denied.remaining, denied.retry_after) == (False, 0, 57)
    assert denied.headers() == {
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "57",
        "Retry-After": "57",
    }
    clock.ms += 42_500  # the first request leaves the window in 14.5 s
    later = limiter.hit("ip:10.0.0.1")
    assert (later.allowed, later.retry_after, later.reset_after) == (False, 15, 15)
    clock.ms += 14_500  # exactly one window after the first request: it has left
    again = limiter.hit("ip:10.0.0.1")
    assert (again.allowed, again.remaining, again.reset_after) == (True, 0, 1)
    assert limiter.hit("ip:10.0.0.1").allowed is False  # the other two are still in the window


def test_clients_are_counted_apart_in_keys_that_expire(redis_prefix: str) -> None:
    limiter = _window(redis_prefix, 1, 30, FakeClock())
    assert [limiter.hit(k).allowed for k in ("ip:a", "ip:b", "ip:a", "key:c")] == [
        True,
        True,
        False,
        True,
    ]
    client = redis.Redis.from_url(REDIS_URL)
    keys = sorted(k.decode() for k in client.scan_iter(match=redis_prefix + "*"))
    assert keys == [f"{redis_prefix}ratelimit:test:{k}" for k in ("ip:a", "ip:b", "key:c")]
    assert all(0 < client.pttl(k) <= 30_000 for k in keys)
    assert client.zcard(f"{redis_prefix}ratelimit:test:ip:a") == 1  # a refusal is not counted


def test_every_limiter_on_one_prefix_shares_the_window(redis_prefix: str) -> None:
    """Two workers (two clients, two limiters) and 8 threads hitting at once: exactly the limit."""
    workers = [_window(redis_prefix, 10, 60, None) for _ in range(2)]
    with ThreadPoolExecutor(8) as pool:
        decisions = list(pool.map(lambda i: workers[i % 2].hit("ip:shared"), range(40)))
    assert sum(d.allowed for d in decisions) == 10
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(10))
    refused = [d for d in decisions if not d.allowed]
    assert all(1 <= d.retry_after <= 60 for d in refused)  # Redis's clock: within the window


@contextmanager
def _own_redis(port: int) -> Iterator[None]:
    """A redis-server of this test's own on `port` (no persistence), stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None, "redis-server stopped while starting"
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_down_redis_falls_back_to_the_process_window_and_recovers() -> None:
    port = free_port()  # nothing listens there yet
    url = f"redis://:s3cret@127.0.0.1:{port}/0"
    now = [0.0]
    limiter = FallbackLimiter(
        RedisSlidingWindow(redis_client(url), 2, 60, prefix="pp-fallback:", name="test"),
        SlidingWindowLimiter(2, 60, clock=lambda: now[0]),
        where=url,
        retry_after=5,
        clock=lambda: now[0],
    )
    with capture_logs() as logs:
        down = [limiter.hit("ip:x").allowed for _ in range(3)]
        now[0] = 6.0  # past retry_after: Redis is tried again, still down, no second warning
        assert limiter.hit("ip:x").allowed is False
    assert down == [True, True, False]  # the per-process window's answers
    assert not limiter.shared_is_up
    assert [e["event"] for e in logs] == ["rate_limit_redis_unavailable"]
    assert logs[0]["redis"] == f"redis://:***@127.0.0.1:{port}/0"  # never the password
    assert logs[0]["error"] == "ConnectionError"
    with _own_redis(port), capture_logs() as logs:
        now[0] = 9.0  # within retry_after of the last failure: Redis is not asked
        assert limiter.hit("ip:y").allowed is True
        assert not limiter.shared_is_up
        now[0] = 12.0
        shared = [limiter.hit("ip:x") for _ in range(3)]  # Redis has its own, empty window
        assert limiter.shared_is_up
        assert redis.Redis(port=port).zcard("pp-fallback:ratelimit:test:ip:x") == 2
    assert [d.allowed for d in shared] == [True, True, False]
    assert [e["event"] for e in logs] == ["rate_limit_redis_recovered"]


def test_without_a_redis_url_the_limiter_is_the_process_window() -> None:
    limiter = shared_or_local(5, 60, redis_url=None, prefix="p:", name="top")
    assert isinstance(limiter, SlidingWindowLimiter)
    shared = shared_or_local(5, 60, redis_url=REDIS_URL, prefix="p:", name="top")
    assert isinstance(shared, FallbackLimiter)
    assert shared.shared.key_prefix == "p:ratelimit:top:"
    assert (shared.limit, shared.window) == (5, 60)
