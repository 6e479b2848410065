"""`demo`: a whole payment cycle on the embedded database — generate, Dry Run, Final Run, summary."""

from __future__ import annotations

from typing import Annotated

import typer

from paymentprocess.cli.common import console, friendly_errors, state
from paymentprocess.cli.render import render_run
from paymentprocess.errors import RunRefusedError
from paymentprocess.service.runs import run_payment_event


def register(app: typer.Typer) -> None:
    @app.command("demo")
    @friendly_errors
    def demo_cmd(
        ctx: typer.Context,
        claims: Annotated[
            int, typer.Option("--claims", min=1, max=5_000_000, help="Claims in the cycle.")
        ] = 20_000,
        seed: Annotated[
            int, typer.Option("--seed", help="Generator seed (same seed, same data).")
        ] = 7,
        event_id: Annotated[
            str, typer.Option("--event-id", help="The demo event's id.")
        ] = "PE-DEMO",
    ) -> None:
        """Generate a payment cycle, run its Dry Run and its Final Run, and show the result.

        Uses the configured database (by default ./paymentprocess.db); refuses if the event exists."""
        from paymentprocess.synth import generate_cycle

        engine = state(ctx).engine()
        console.rule(f"1/3 generate {claims:,} claims (seed {seed})")
        generate_cycle(engine, claims=claims, seed=seed, event_id=event_id)
        for step, mode in (("2/3", "dry-run"), ("3/3", "final")):
            console.rule(f"{step} {mode} run of {event_id}")
            outcome = run_payment_event(engine, event_id, mode)  # type: ignore[arg-type]
            if not outcome.document:
                raise RunRefusedError(outcome.message)
            render_run(console, outcome.document, outcome.message)
            if outcome.exit_code != 0:
                raise typer.Exit(outcome.exit_code)
        console.print(
            f"[green]demo complete[/green]: see `paymentprocess event show {event_id}` and "
            "`paymentprocess export out/` for every collection"
        )
