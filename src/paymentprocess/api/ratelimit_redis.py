"""A sliding-window rate limit shared through Redis by every worker and instance of the service.

Each client has one sorted set, `<PAYMENT_REDIS_KEY_PREFIX>ratelimit:<name>:<client>`, whose
members are its counted requests scored by their time in milliseconds. One Lua script drops the
requests that left the window, counts the rest, adds this one if there is room and says how long
until the oldest leaves — atomically, so two workers can never both take the last place. Time is
Redis's own clock (`TIME`), so instances whose clocks differ still share one window. The key
expires with its window: an idle client leaves nothing behind.

`RedisSlidingWindow` raises `redis.RedisError` when Redis does not answer. `FallbackLimiter`
decides what that means for the service: *fail open to the per-process limit* — the request is
counted by the worker's own `SlidingWindowLimiter`, a warning is logged once per outage (the URL
without its password), and Redis is tried again after `retry_after` seconds. The top-providers
report is a read-only report: a cache outage should neither take it down (503) nor lift every
limit; the worst case is the per-process limit the service had before (docs/claims-service.md).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from paymentprocess.api.ratelimit import Decision, RateLimiter, SlidingWindowLimiter
from paymentprocess.config import redact_uri
from paymentprocess.logs import get_logger

log = get_logger("paymentprocess.api.ratelimit")

# KEYS[1] the client's sorted set; ARGV: limit, window (ms), a unique member, now (ms, or '' for
# Redis's clock). Returns {allowed (0/1), requests counted in the window, ms until the oldest
# leaves it}.
_SLIDING_WINDOW = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local counted = redis.call('ZCARD', KEYS[1])
local allowed = 0
if counted < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  counted = counted + 1
  allowed = 1
end
local oldest = now
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then
  oldest = tonumber(first[2])
end
redis.call('PEXPIRE', KEYS[1], window)
return {allowed, counted, oldest + window - now}
"""


def redis_client(url: str) -> redis.Redis:
    """A client that gives up quickly: a down Redis must not hold a request for seconds. One
    immediate retry reconnects a pooled connection that Redis closed (a restart)."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), 1),
        health_check_interval=30,
    )


class RedisSlidingWindow:
    """At most `limit` requests per `window` seconds per key, counted in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        limit: int,
        window: float,
        *,
        prefix: str,
        name: str,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.limit, self.window = limit, window
        self.client, self.key_prefix = client, f"{prefix}ratelimit:{name}:"
        self._clock_ms = clock_ms  # None: Redis's clock (tests pass their own)
        self._script = client.register_script(_SLIDING_WINDOW)

    def hit(self, key: str) -> Decision:
        """Count a request of `key` if the window has room; `redis.RedisError` if Redis fails."""
        now = "" if self._clock_ms is None else str(self._clock_ms())
        member = uuid.uuid4().hex
        window_ms = round(self.window * 1000)
        answer = self._script(
            keys=[self.key_prefix + key], args=[self.limit, window_ms, member, now]
        )
        allowed, counted, wait_ms = (int(v) for v in answer)
        return Decision.of(
            allowed=bool(allowed), limit=self.limit, counted=counted, wait=wait_ms / 1000
        )


class FallbackLimiter:
    """`shared` while it answers; the per-process `local` limiter while it does not."""

    def __init__(
        self,
        shared: RedisSlidingWindow,
        local: SlidingWindowLimiter,
        *,
        where: str,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared, self.local, self.where = shared, local, redact_uri(where)
        self.limit, self.window = shared.limit, shared.window
        self.retry_after, self.clock = retry_after, clock
        self._down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def shared_is_up(self) -> bool:
        return self._down_since is None

    def hit(self, key: str) -> Decision:
        with self._lock:
            down_since = self._down_since
        if down_since is not None and self.clock() - down_since < self.retry_after:
            return self.local.hit(key)
        try:
            decision = self.shared.hit(key)
        except redis.RedisError as exc:
            with self._lock:
                first = self._down_since is None
                self._down_since = self.clock()
            if first:
                log.warning(
                    "rate_limit_redis_unavailable",
                    redis=self.where,
                    error=type(exc).__name__,
                    fallback="per-process limit",
                )
            return self.local.hit(key)
        if down_since is not None:
            with self._lock:
                self._down_since = None
            log.info("rate_limit_redis_recovered", redis=self.where)
        return decision


def shared_or_local(
    limit: int, window: float, *, redis_url: str | None, prefix: str, name: str
) -> RateLimiter:
    """The limiter of one endpoint: shared through Redis when `redis_url` is set (falling back to
    this process while Redis is down), else this process's own."""
    local = SlidingWindowLimiter(limit, window)
    if redis_url is None:
        return local
    shared = RedisSlidingWindow(redis_client(redis_url), limit, window, prefix=prefix, name=name)
    return FallbackLimiter(shared, local, where=redis_url)
