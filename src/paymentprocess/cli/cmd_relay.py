"""`paymentprocess relay`: publish the outbox to RabbitMQ until stopped (service.messaging.relay;
docs/events.md). Several may run at once, on one database."""

from __future__ import annotations

from typing import Annotated

import typer

from paymentprocess.cli.common import friendly_errors, out, state


def register(app: typer.Typer) -> None:
    app.command("relay")(relay)


@friendly_errors
def relay(
    ctx: typer.Context,
    batch_size: Annotated[
        int | None,
        typer.Option(min=1, max=10_000, help="Rows per batch (PAYMENT_RELAY_BATCH_SIZE, 500)."),
    ] = None,
    max_batches: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many batches were published.")
    ] = None,
    until_empty: Annotated[
        bool, typer.Option("--until-empty", help="Stop when nothing is left to publish.")
    ] = False,
) -> None:
    """Publish unsent outbox events (publisher confirms; SIGTERM stops after the batch)."""
    from paymentprocess.cli.signals import run_until_signalled
    from paymentprocess.service.messaging.broker import BrokerConfig
    from paymentprocess.service.messaging.relay import RelayConfig, run_relay

    st = state(ctx)
    settings = st.settings
    engine = st.engine()
    config = RelayConfig(
        broker=BrokerConfig.from_settings(settings),
        batch_size=batch_size or settings.relay_batch_size,
        lease_seconds=settings.relay_lease_seconds,
        poll_seconds=settings.relay_poll_seconds,
        max_batches=max_batches,
        until_empty=until_empty,
    )
    stats = run_until_signalled(lambda stop: run_relay(engine, config, stop))
    out.print(f"published {stats.published} events in {stats.batches} batches", highlight=False)
