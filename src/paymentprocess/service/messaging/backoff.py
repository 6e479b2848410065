"""Waiting between attempts when the broker or the database is down: exponential, capped, with
jitter, so that many relays or consumers that lost the same broker do not all come back at the
same instant, and none of them spins."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays `first`·2ⁿ seconds up to `cap`, each drawn uniformly from its upper half (never
    less than half the nominal delay: no busy loop; never more than it: bounded)."""

    first: float = 0.2
    cap: float = 30.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        nominal = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return self.rng.uniform(nominal / 2, nominal)

    def reset(self) -> None:
        self.failures = 0
