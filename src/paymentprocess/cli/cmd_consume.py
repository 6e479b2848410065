"""`paymentprocess consume --queue NAME`: the reference consumer of the events
(service.messaging.consumer; docs/events.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from paymentprocess.cli.common import friendly_errors, out, state


def register(app: typer.Typer) -> None:
    app.command("consume")(consume)


@friendly_errors
def consume(
    ctx: typer.Context,
    queue: Annotated[str, typer.Option("--queue", help="This consumer's queue (and its name).")],
    binding: Annotated[
        list[str] | None,
        typer.Option(help="Routing keys to bind, e.g. 'claim.*' (repeatable; default '#')."),
    ] = None,
    until_idle: Annotated[
        float | None,
        typer.Option(min=0.1, help="Stop after this many seconds without a message."),
    ] = None,
) -> None:
    """Apply each event once (dedupe by message_id), retry failures, dead-letter poison."""
    from paymentprocess.cli.signals import run_until_signalled
    from paymentprocess.service.messaging.broker import BrokerConfig
    from paymentprocess.service.messaging.consumer import ConsumerConfig, run_consumer
    from paymentprocess.service.messaging.queues import ConsumerQueues

    st = state(ctx)
    settings = st.settings
    engine = st.engine()
    config = ConsumerConfig(
        broker=BrokerConfig.from_settings(settings),
        queues=ConsumerQueues(
            queue,
            first_delay=settings.consumer_retry_seconds,
            max_attempts=settings.consumer_max_attempts,
            bindings=tuple(binding or ("#",)),
        ),
        until_idle=until_idle,
    )
    stats = run_until_signalled(lambda stop: run_consumer(engine, config, stop))
    out.print(
        f"{stats.delivered} delivered: {stats.applied} applied, {stats.duplicates} duplicates, "
        f"{stats.ignored} ignored, {stats.retried} retried, {stats.dead_lettered} dead-lettered",
        highlight=False,
    )
