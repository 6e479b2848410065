"""`run`, `dry-run`, `final`, `restore`: the payment runs of SPEC §8."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from paymentprocess.cli.common import console, friendly_errors, out, state, warn
from paymentprocess.cli.render import render_run
from paymentprocess.errors import RunRefusedError
from paymentprocess.service.runs import (
    RunOutcome,
    load_run_config,
    restore_final_run,
    run_payment_event,
)


class RunMode(StrEnum):
    dry_run = "dry-run"
    final = "final"


class PcType(StrEnum):
    provider = "provider"
    dmr = "dmr"


WORKERS_UNUSED = (
    "a run is one process of vectorized Polars, which sizes its own thread pool "
    "(POLARS_MAX_THREADS); PAYMENT_MAX_WORKERS is the number of `serve` worker processes"
)

EventId = Annotated[
    str, typer.Option("--payment-event-id", "-p", help="The PaymentEvent_ID to run.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the PaymentEventStats document as JSON on stdout.")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Final Run: skip the stage and fingerprint checks.")
]
ValidateOnly = Annotated[
    bool, typer.Option("--validate-only", help="Run the validations only; write nothing.")
]


def _finish(outcome: RunOutcome, as_json: bool) -> None:
    """The result on stdout (the summary, or the stats document with --json); a refusal's
    message on stderr (logs and the progress spinner are there too)."""
    if as_json:
        out.print_json(json.dumps(outcome.document or {"message": outcome.message}))
    elif outcome.document:
        render_run(out, outcome.document, outcome.message)
    elif outcome.exit_code == 0:  # e.g. "already Final; nothing changed": that is the result
        out.print(outcome.message, highlight=False, markup=False)
    else:
        console.print(outcome.message, highlight=False, markup=False)
    raise typer.Exit(outcome.exit_code)


def _run(
    ctx: typer.Context,
    event_id: str,
    mode: RunMode,
    *,
    force: bool = False,
    validate_only: bool = False,
    as_json: bool = False,
    pc_type: PcType | None = None,
) -> None:
    if not event_id.strip():
        raise RunRefusedError("--payment-event-id must not be empty")
    engine = state(ctx).engine()
    if pc_type is not None:
        cfg = load_run_config(engine, event_id, mode.value)
        wanted = "DMR" if pc_type is PcType.dmr else "Provider"
        if cfg.event_type != wanted:
            raise RunRefusedError(
                f"--pc-type {pc_type.value} disagrees with event {event_id} of type {cfg.event_type}"
            )
    with console.status(f"{mode.value} run of {event_id}…", spinner="dots"):
        outcome = run_payment_event(
            engine,
            event_id,
            mode.value,
            force=force,
            validate_only=validate_only,
        )
    _finish(outcome, as_json)


def register(app: typer.Typer) -> None:
    @app.command("run")
    @friendly_errors
    def run_cmd(
        ctx: typer.Context,
        payment_event_id: EventId,
        mode: Annotated[
            RunMode, typer.Option("--mode", "-m", help="dry-run estimates; final pays.")
        ],
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                min=1,
                hidden=True,  # the seeds' option: accepted, warns that a run does not use it
                help=WORKERS_UNUSED,
            ),
        ] = None,
        batch_size: Annotated[
            int | None,
            typer.Option(
                "--batch-size",
                min=1,
                help="Rows per bulk write call of this run: one executemany (SQLite) or COPY "
                "data message (PostgreSQL) each, all in the run's one transaction "
                "(PAYMENT_BATCH_SIZE, default 1000).",
            ),
        ] = None,
        log_level: Annotated[
            str | None, typer.Option("--log-level", help="Log level for this run.")
        ] = None,
        config_path: Annotated[
            Path | None,
            typer.Option(
                "--config-path",
                help="TOML file of settings with the environment variables' keys (db_uri = ..., "
                "batch_size = ...); the environment and .env override it (PAYMENT_CONFIG_PATH).",
            ),
        ] = None,
        db_uri: Annotated[
            str | None, typer.Option("--db-uri", help="Database URI for this run.")
        ] = None,
        resume: Annotated[
            bool,
            typer.Option(
                "--resume",
                help="Kept from the seeds' CLI; changes nothing. A run is one transaction, so a "
                "failed run left nothing behind to resume: this runs the event again from the "
                "start, exactly as without --resume.",
            ),
        ] = False,
        pc_type: Annotated[
            PcType | None,
            typer.Option("--pc-type", help="Assert the payee type (provider or dmr)."),
        ] = None,
        validate_only: ValidateOnly = False,
        force: ForceOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Run a payment event: a Dry Run (estimate, find every data problem, change no production
        table) or a Final Run (pay, atomically). Exit code 0 completed, 2 blocked or Critical
        findings, 1 error."""
        st = state(ctx)
        st.overrides.update(
            {
                k: v
                for k, v in {
                    "db_uri": db_uri,
                    "log_level": log_level,
                    "batch_size": batch_size,
                    "config_path": config_path,
                }.items()
                if v is not None
            }
        )
        _ = resume  # see its help: running again is the resume
        if workers is not None:
            warn(f"--workers {workers} is ignored: {WORKERS_UNUSED}")
        _run(
            ctx,
            payment_event_id,
            mode,
            force=force,
            validate_only=validate_only,
            as_json=as_json,
            pc_type=pc_type,
        )

    @app.command("dry-run")
    @friendly_errors
    def dry_run_cmd(
        ctx: typer.Context,
        payment_event_id: EventId,
        validate_only: ValidateOnly = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Dry Run of a payment event (same as `run -m dry-run`)."""
        _run(ctx, payment_event_id, RunMode.dry_run, validate_only=validate_only, as_json=as_json)

    @app.command("final-run")
    @friendly_errors
    def final_cmd(
        ctx: typer.Context,
        payment_event_id: EventId,
        force: ForceOpt = False,
        validate_only: ValidateOnly = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Final Run of a payment event (same as `run -m final`)."""
        _run(
            ctx,
            payment_event_id,
            RunMode.final,
            force=force,
            validate_only=validate_only,
            as_json=as_json,
        )

    @app.command("restore")
    @friendly_errors
    def restore_cmd(
        ctx: typer.Context,
        backup_id: Annotated[
            int,
            typer.Option("--backup", min=1, max=2**31 - 1, help="Backup id (see `event show`)."),
        ],
        force_issued: Annotated[
            str | None,
            typer.Option(
                "--force-issued",
                metavar="REASON",
                help="Restore although the event's payment files were issued (they may have "
                "reached the bank); REASON is recorded on the files, which become superseded.",
            ),
        ] = None,
    ) -> None:
        """Undo the latest Final Run from the backup it took: PaymentCenter, OverAndUnderPayment
        and SequenceNumbers as they were, the event's payments and claim results removed, its
        stage as before. Refused (exit 1, nothing changed) for a backup that is not the latest
        Final Run's, when anything else changed those tables since, or once the event's payment
        files were issued (unless --force-issued)."""
        restored = restore_final_run(state(ctx).engine(), backup_id, force_issued=force_issued)
        put_back = [f"{k} ({v} rows)" for k, v in restored.rows.items() if " " not in k]
        removed = [
            f"{k.split()[0]} ({v} rows)" for k, v in restored.rows.items() if k.endswith(" removed")
        ]
        out.print(
            f"restored backup {backup_id}: payment event {restored.payment_event_id} is at stage "
            f"{restored.stage} again. Put back: {', '.join(put_back)}; removed the event's "
            f"{', '.join(removed)}.",
            highlight=False,
            markup=False,
        )
        if restored.stale_dry_runs:
            console.print(
                "note: Dry Runs done since the Final Run used the payees and ledger it took "
                "back; run them again: " + ", ".join(restored.stale_dry_runs),
                highlight=False,
            )
