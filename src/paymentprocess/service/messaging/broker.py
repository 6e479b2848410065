"""The broker as both sides see it: one connection (aio-pika, publisher confirms on), the durable
topic exchange of the events, and the broker's address as it may be logged (no password)."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from paymentprocess.config import Settings, redact_uri

CONNECT_TIMEOUT = 10.0  # seconds: a broker that does not answer is an error, then a backoff


@dataclass(frozen=True)
class BrokerConfig:
    url: str
    exchange: str

    @classmethod
    def from_settings(cls, settings: Settings) -> BrokerConfig:
        return cls(settings.broker_url, settings.broker_exchange)

    @property
    def where(self) -> str:
        """The broker's address for logs and messages (password masked)."""
        return redact_uri(self.url)


async def connect(config: BrokerConfig) -> AbstractConnection:
    """A plain (non-robust) connection: the relay and the consumer reconnect themselves, after a
    backoff, so that a lost connection is always seen and nothing is published twice silently."""
    return await aio_pika.connect(config.url, timeout=CONNECT_TIMEOUT)


async def events_exchange(channel: AbstractChannel, config: BrokerConfig) -> AbstractExchange:
    """The durable topic exchange (declared by whoever comes first, with the same arguments).
    Its alternate exchange keeps what no queue was bound for in the durable queue
    `<exchange>.unrouted`, so an event published before any consumer declared its queue is kept,
    not dropped."""
    unrouted = unrouted_name(config)
    spare = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    queue = await channel.declare_queue(unrouted, durable=True)
    await queue.bind(spare)
    return await channel.declare_exchange(
        config.exchange,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": unrouted},
    )


def unrouted_name(config: BrokerConfig) -> str:
    """The alternate exchange, and its queue, of the events exchange."""
    return f"{config.exchange}.unrouted"
