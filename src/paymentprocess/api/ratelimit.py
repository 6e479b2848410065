"""Sliding-window rate limiting per client key: the `Decision`, and the in-process limiter.

Each client key keeps the times of its requests inside the window; a request is allowed while
fewer than `limit` remain. The answer carries what the `X-RateLimit-*` headers and `Retry-After`
need. `SlidingWindowLimiter` keeps its state in one process: with `serve --workers N` each worker
counts on its own (so a client may get up to N × limit). With `PAYMENT_REDIS_URL` the service
uses `api.ratelimit_redis` instead, shared by every worker and instance, and this one only while
Redis does not answer (docs/claims-service.md). The number of clients tracked here is capped
(least recently seen evicted first) so a flood of addresses cannot exhaust memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MAX_CLIENTS = 100_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the oldest counted request leaves the window
    retry_after: int  # seconds to wait before a retry can succeed (0 when allowed)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    @classmethod
    def of(cls, *, allowed: bool, limit: int, counted: int, wait: float) -> Decision:
        """The decision after a hit: `counted` requests in the window (this one included when
        allowed), `wait` seconds until the oldest of them leaves it."""
        return cls(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - counted),
            reset_after=math.ceil(max(0.0, wait)),
            retry_after=0 if allowed else max(1, math.ceil(wait)),
        )


class RateLimiter(Protocol):
    """What a route needs of a limiter: its terms and one counted hit per request."""

    @property
    def limit(self) -> int: ...

    @property
    def window(self) -> float: ...

    def hit(self, key: str) -> Decision: ...


class SlidingWindowLimiter:
    """At most `limit` requests per `window` seconds per key."""

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> Decision:
        """Count a request of `key` if the window has room; say whether it may proceed."""
        now = self.clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            self._hits[key] = hits
            while len(self._hits) > MAX_CLIENTS:
                self._hits.popitem(last=False)
            oldest = hits[0] if hits else now
        return Decision.of(
            allowed=allowed, limit=self.limit, counted=len(hits), wait=oldest + self.window - now
        )
