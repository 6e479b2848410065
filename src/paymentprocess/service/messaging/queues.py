"""A consumer's queues: its own durable queue bound to the events exchange, one retry queue per
attempt with a growing delay (a message waits there for its TTL, then is dead-lettered back to the
consumer's queue through the default exchange), and its dead-letter queue.

For queue `Q`, first delay d and N attempts: `Q`, `Q.retry.<d·2ⁿ⁻¹ in ms>ms` for n = 1 … N-1,
`Q.dlq`. The delay is in the name, so changing PAYMENT_CONSUMER_RETRY_SECONDS declares new retry
queues instead of failing on the old ones' arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue


@dataclass(frozen=True)
class ConsumerQueues:
    name: str
    first_delay: float = 1.0
    max_attempts: int = 5
    bindings: tuple[str, ...] = ("#",)

    def delay_ms(self, attempt: int) -> int:
        """Milliseconds a message waits after its `attempt`-th delivery failed (1-based)."""
        return max(1, round(self.first_delay * 1000 * 2.0 ** (attempt - 1)))

    def retry_queue(self, attempt: int) -> str:
        return f"{self.name}.retry.{self.delay_ms(attempt)}ms"

    @property
    def dead_letters(self) -> str:
        return f"{self.name}.dlq"

    def all_names(self) -> list[str]:
        retries = [self.retry_queue(n) for n in range(1, self.max_attempts)]
        return [self.name, *retries, self.dead_letters]


async def declare(
    channel: AbstractChannel, exchange: AbstractExchange, queues: ConsumerQueues
) -> AbstractQueue:
    """Declare (idempotently) every queue of `queues`; returns the consumer's own queue."""
    main = await channel.declare_queue(queues.name, durable=True)
    for key in queues.bindings:
        await main.bind(exchange, routing_key=key)
    for attempt in range(1, queues.max_attempts):
        await channel.declare_queue(
            queues.retry_queue(attempt),
            durable=True,
            arguments={
                "x-message-ttl": queues.delay_ms(attempt),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queues.name,
            },
        )
    await channel.declare_queue(queues.dead_letters, durable=True)
    return main
