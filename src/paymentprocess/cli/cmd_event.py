"""`event create | list | show`: payment events and their runs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.service.events import create_event, list_events, show_event

events_app = typer.Typer(
    help="Create payment events, list them, show one with its runs.", no_args_is_help=True
)


@events_app.command("create")
@friendly_errors
def create_cmd(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Option("--id", help="New PaymentEvent_ID.")],
    event_type: Annotated[str, typer.Option("--type", help="Provider or DMR.")],
    payment_date: Annotated[
        dt.datetime,
        typer.Option(
            "--payment-date",
            formats=["%Y-%m-%d"],
            help="Payment due date (interest is computed to it), YYYY-MM-DD.",
        ),
    ],
    funding_source: Annotated[
        str,
        typer.Option("--funding-source", help="FundingSource_ID (minimum payment, check numbers)."),
    ],
    business: Annotated[
        str | None, typer.Option("--business", help="Business_ID (custom interest days).")
    ] = None,
    inclusion_criteria: Annotated[
        str | None,
        typer.Option("--inclusion-criteria", help="InclusionCriteria_ID (none = every claim)."),
    ] = None,
) -> None:
    """Create a payment event and assign it the Unpaid claims that belong to no open event."""
    created = create_event(
        state(ctx).engine(),
        payment_event_id=event_id,
        event_type=event_type,
        payment_due_date=payment_date.date(),
        business_id=business,
        funding_source_id=funding_source,
        inclusion_criteria_id=inclusion_criteria,
    )
    console.print(
        f"created payment event {created['payment_event_id']} with {created['claims_assigned']} claims"
    )


@events_app.command("list")
@friendly_errors
def list_cmd(ctx: typer.Context) -> None:
    """List payment events with their stage and claim count."""
    table = Table("event", "type", "payment date", "stage", "claims")
    for e in list_events(state(ctx).engine()):
        table.add_row(
            e["payment_event_id"],
            e["payment_event_type"],
            str(e["payment_due_date"]),
            e["stage"],
            str(e["claims"]),
        )
    out.print(table)


@events_app.command("show")
@friendly_errors
def show_cmd(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="PaymentEvent_ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one payment event and its runs."""
    shown = show_event(state(ctx).engine(), event_id)
    if as_json:
        out.print_json(json.dumps(shown, default=str))
        return
    out.print({k: str(v) for k, v in shown["event"].items()})
    table = Table("run", "mode", "status", "started", "finished")
    for r in shown["runs"]:
        table.add_row(
            str(r["run_id"]), r["mode"], r["status"], str(r["started_at"]), str(r["finished_at"])
        )
    out.print(table)
    for b in shown["backups"]:
        restored = f", restored {b['restored_at']}" if b["restored_at"] else ""
        out.print(
            f"backup {b['backup_id']} taken {b['created_at']}{restored} (paymentprocess restore --backup {b['backup_id']})"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="event")
