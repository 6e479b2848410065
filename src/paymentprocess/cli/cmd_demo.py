"""`demo`: a whole payment cycle on the embedded database — generate, Dry Run, Final Run, summary.

The reports are the result: they go to stdout; logs stay on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paymentprocess.cli.common import friendly_errors, out, state
from paymentprocess.domain.roles import Action
from paymentprocess.errors import RunRefusedError, SettingsError


def _remove_sqlite_file(uri: str) -> None:
    """Delete the SQLite database file (and its WAL files) named by `uri`; refuses other databases."""
    if not uri.startswith("sqlite:///"):
        raise SettingsError(
            "--fresh only deletes a SQLite file; give an empty PostgreSQL database instead"
        )
    path = Path(uri[len("sqlite:///") :])
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


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
        outputs_dir: Annotated[
            Path,
            typer.Option(
                "--out",
                file_okay=False,
                help="Where the cycle's payment files go (<DIR>/<event>/: 835s, NACHA, checks).",
            ),
        ] = Path("demo-outputs"),
        fresh: Annotated[
            bool,
            typer.Option(
                "--fresh", help="Start from an empty database: delete the SQLite file first."
            ),
        ] = False,
    ) -> None:
        """Generate a payment cycle, run its Dry Run and its Final Run, show the result, and
        write the payment files of the Final Run (`paymentprocess outputs`).

        Uses the configured database (default ./paymentprocess.db), which must hold no data,
        unless --fresh deletes that SQLite file first (bin/demo uses ./paymentprocess-demo.db)."""
        from paymentprocess.cli.cmd_outputs import show_outputs
        from paymentprocess.cli.render import render_run
        from paymentprocess.config import redact_uri
        from paymentprocess.outputs.issue import x12_settings
        from paymentprocess.outputs.remit_model import X12Settings
        from paymentprocess.service.payment_files import generate_outputs
        from paymentprocess.service.runs import run_payment_event
        from paymentprocess.synth import generate_cycle

        st = state(ctx)
        if fresh:
            _remove_sqlite_file(st.settings.db_uri)
        engine = st.engine()
        principal = st.principal(engine, Action.LOAD_DATA)  # LOCAL on a database without users
        out.rule(f"1/4 generate {claims:,} claims (seed {seed})")
        generate_cycle(engine, claims=claims, seed=seed, event_id=event_id)
        for step, mode in (("2/4", "dry-run"), ("3/4", "final")):
            out.rule(f"{step} {mode} run of {event_id}")
            outcome = run_payment_event(engine, event_id, mode, principal=principal)  # type: ignore[arg-type]
            if not outcome.document:
                raise RunRefusedError(outcome.message)
            render_run(out, outcome.document, outcome.message)
            if outcome.exit_code != 0:
                raise typer.Exit(outcome.exit_code)
        out.rule(f"4/4 payment files of {event_id}")
        # The generated plan gives other adjustments the CARC 23 (impact of prior payer
        # adjudication) as group OA; a real plan sets PAYMENT_OTHER_ADJUSTMENT_CAS itself.
        x12 = x12_settings(st.settings)
        if x12.other_adjustment_cas is None:
            x12 = X12Settings(other_adjustment_cas="OA:23")
            out.print("835: other adjustments as OA:23 (demo; set PAYMENT_OTHER_ADJUSTMENT_CAS)")
        report = generate_outputs(
            engine, event_id, outputs_dir, principal=principal, fhir=True, x12=x12
        )
        show_outputs(report)
        where = f"--db-uri {redact_uri(st.settings.db_uri)} "
        out.print(
            f"[green]demo complete[/green]: see `paymentprocess {where}event show {event_id}` and "
            f"`paymentprocess {where}export out/` for every collection"
        )
