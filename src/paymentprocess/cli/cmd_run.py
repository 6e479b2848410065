"""`run`, `dry-run`, `final-run`, `restore`: the payment runs of SPEC §8.

Each command is a plain function here, registered by `register(app)` (cli/main.py calls it); its
options are declared in `cli.run_options`. Every command calls `service.runs`; the run commands
print their outcome through `_finish` (the result on stdout, a refusal on stderr, the run's exit
code), `restore` what it put back and removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from paymentprocess.cli.common import console, friendly_errors, out, state, warn
from paymentprocess.cli.run_options import (
    WORKERS_UNUSED,
    BackupOpt,
    BatchSizeOpt,
    ConfigPathOpt,
    DbUriOpt,
    EventId,
    ForceIssuedOpt,
    ForceOpt,
    JsonOpt,
    LogLevelOpt,
    ModeOpt,
    PartitionsOpt,
    PcType,
    PcTypeOpt,
    ResumeOpt,
    RunMode,
    ValidateOnly,
    WorkersOpt,
)
from paymentprocess.errors import RunRefusedError

if TYPE_CHECKING:
    from paymentprocess.service.runs import RunOutcome


def _finish(outcome: RunOutcome, as_json: bool) -> None:
    """The result on stdout (the summary, or the stats document with --json); a refusal's
    message on stderr (logs and the progress spinner are there too)."""
    from paymentprocess.cli.render import render_run

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
    from paymentprocess.service.runs import load_run_config, run_payment_event

    st = state(ctx)
    engine = st.engine()
    principal = st.principal(engine)
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
            principal=principal,
            force=force,
            validate_only=validate_only,
            partitions=st.settings.partitions,
            memory_budget=st.settings.memory_budget_bytes,
        )
    _finish(outcome, as_json)


def run_cmd(
    ctx: typer.Context,
    payment_event_id: EventId,
    mode: ModeOpt,
    workers: WorkersOpt = None,
    batch_size: BatchSizeOpt = None,
    partitions: PartitionsOpt = None,
    log_level: LogLevelOpt = None,
    config_path: ConfigPathOpt = None,
    db_uri: DbUriOpt = None,
    resume: ResumeOpt = False,
    pc_type: PcTypeOpt = None,
    validate_only: ValidateOnly = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run a payment event: a Dry Run (estimate, find every data problem, change no production
    table) or a Final Run (pay, atomically). Exit code 0 completed, 2 blocked or Critical
    findings, 1 error."""
    settings = {
        "db_uri": db_uri,
        "log_level": log_level,
        "batch_size": batch_size,
        "partitions": partitions,
        "config_path": config_path,
    }
    state(ctx).overrides.update({k: v for k, v in settings.items() if v is not None})
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


def dry_run_cmd(
    ctx: typer.Context,
    payment_event_id: EventId,
    validate_only: ValidateOnly = False,
    as_json: JsonOpt = False,
) -> None:
    """Dry Run of a payment event (same as `run -m dry-run`)."""
    _run(ctx, payment_event_id, RunMode.dry_run, validate_only=validate_only, as_json=as_json)


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


def restore_cmd(
    ctx: typer.Context, backup_id: BackupOpt, force_issued: ForceIssuedOpt = None
) -> None:
    """Undo the latest Final Run from the backup it took: PaymentCenter, OverAndUnderPayment
    and SequenceNumbers as they were, the event's payments and claim results removed, its
    stage as before. Refused (exit 1, nothing changed) for a backup that is not the latest
    Final Run's, when anything else changed those tables since, or once the event's payment
    files were issued (unless --force-issued)."""
    from paymentprocess.service.runs import restore_final_run

    st = state(ctx)
    engine = st.engine()
    restored = restore_final_run(
        engine, backup_id, force_issued=force_issued, principal=st.principal(engine)
    )
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


COMMANDS: dict[str, Callable[..., None]] = {
    "run": run_cmd,
    "dry-run": dry_run_cmd,
    "final-run": final_cmd,
    "restore": restore_cmd,
}


def register(app: typer.Typer) -> None:
    """Add the run commands to `app`, in this order, each with friendly errors."""
    for name, command in COMMANDS.items():
        app.command(name)(friendly_errors(command))
