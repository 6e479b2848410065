"""`event create | list | show`, and the Final Run approval: `event request-final | approve |
reject | approval` (maker-checker, docs/console.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state

if TYPE_CHECKING:
    from paymentprocess.service import approvals

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
    from paymentprocess.service.events import create_event

    st = state(ctx)
    engine = st.engine()
    created = create_event(
        engine,
        payment_event_id=event_id,
        event_type=event_type,
        payment_due_date=payment_date.date(),
        business_id=business,
        funding_source_id=funding_source,
        inclusion_criteria_id=inclusion_criteria,
        principal=st.principal(engine),
    )
    console.print(
        f"created payment event {created['payment_event_id']} with {created['claims_assigned']} claims"
    )


@events_app.command("list")
@friendly_errors
def list_cmd(ctx: typer.Context) -> None:
    """List payment events with their stage and claim count."""
    from paymentprocess.service.events import list_events

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
    """Show one payment event: its fields, its runs (mode, status, start, duration, amount paid,
    stage timings) and the backups its Final Runs took. --json prints the same as a document."""
    from paymentprocess.service.events import show_event

    shown = show_event(state(ctx).engine(), event_id)
    if as_json:
        out.print_json(json.dumps(shown, default=str))
        return
    ev = shown["event"]
    fingerprint = (
        "set by its last Dry Run here"
        if ev.get("claims_fingerprint")
        else "none: a Final Run needs a Dry Run first (or --force)"
    )
    fields = Table(title=f"Payment event {ev['payment_event_id']}", box=box.SIMPLE_HEAD)
    fields.add_column("field", no_wrap=True)
    fields.add_column("value", overflow="fold")
    for name, value in (
        ("type", ev.get("payment_event_type")),
        ("payment due date", ev.get("payment_due_date")),
        ("stage", ev.get("stage")),
        ("business", ev.get("business_id")),
        ("funding source", ev.get("funding_source_id")),
        ("inclusion criteria", ev.get("inclusion_criteria_id") or "none: every claim"),
        ("claims fingerprint", fingerprint),
        ("updated (UTC)", _when(ev.get("updated_at"))),
    ):
        fields.add_row(name, "" if value is None else str(value))
    out.print(fields)
    _runs_table(shown["runs"])
    _backups_table(shown["backups"])


def _when(value: object) -> str:
    return "" if value is None else str(value)[:19]


def _runs_table(runs: list[dict[str, object]]) -> None:
    if not runs:
        out.print("runs: none yet")
        return
    table = Table(title="Runs", box=box.SIMPLE_HEAD)
    table.add_column("run", justify="right", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    table.add_column("status", overflow="fold")
    table.add_column("started (UTC)", overflow="fold")
    table.add_column("took s", justify="right", no_wrap=True)
    table.add_column("paid", justify="right", no_wrap=True)
    for r in runs:
        table.add_row(
            str(r["run_id"]),
            str(r["mode"]),
            str(r["status"]),
            _when(r["started_at"]),
            "" if r["seconds"] is None else f"{r['seconds']:.2f}",
            str(r["paid"] or ""),
        )
    out.print(table)
    for r in runs:
        timings = r["timings_ms"]
        if isinstance(timings, dict) and timings:
            stages = ", ".join(f"{k} {v}" for k, v in timings.items() if "." not in k)
            out.print(f"run {r['run_id']} timings (ms): {stages}", highlight=False)
        if r["error"]:
            out.print(f"run {r['run_id']} error: {r['error']}", highlight=False, markup=False)


def _backups_table(backups: list[dict[str, object]]) -> None:
    if not backups:
        return
    table = Table(title="Backups (taken by Final Runs)", box=box.SIMPLE_HEAD)
    table.add_column("backup", justify="right", no_wrap=True)
    table.add_column("taken (UTC)", overflow="fold")
    table.add_column("restored (UTC)", overflow="fold")
    table.add_column("undo with", overflow="fold")
    for b in backups:
        table.add_row(
            str(b["backup_id"]),
            _when(b["created_at"]),
            _when(b["restored_at"]),
            f"paymentprocess restore --backup {b['backup_id']}"
            if b["restorable"]
            else ("" if b["restored_at"] else "not the latest Final Run"),
        )
    out.print(table)


EventArg = Annotated[str, typer.Argument(help="PaymentEvent_ID")]


def _print_state(state_: approvals.ApprovalState | None, event_id: str) -> None:
    from paymentprocess.domain.money import format_cents

    if state_ is None:
        out.print(f"{event_id}: no Final Run requested yet", highlight=False)
        return
    s = state_
    totals = s.totals
    rows = [
        ("status", s.status + (f": {s.why_void}" if s.why_void else "")),
        ("request", f"{s.request_id} by {s.requested_by} at {_when(s.requested_at)}"),
        ("dry run", f"run {s.dry_run_id}" + (f" by {s.dry_run_by}" if s.dry_run_by else "")),
        ("fingerprint", s.fingerprint),
        ("claims", str(totals.get("claims", ""))),
        ("payees", str(totals.get("payees", ""))),
        ("net pay", format_cents(int(totals.get("net_pay_cents", 0)))),
    ]
    if s.decided_by:
        rows.append(("decided", f"by {s.decided_by} at {_when(s.decided_at)}"))
    if s.reason:
        rows.append(("reason", s.reason))
    if s.consumed_run_id is not None:
        rows.append(("used by", f"Final Run {s.consumed_run_id}"))
    table = Table(title=f"Final Run approval of {event_id}", box=box.SIMPLE_HEAD)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)


@events_app.command("request-final")
@friendly_errors
def request_final_cmd(ctx: typer.Context, event_id: EventArg) -> None:
    """Request a Final Run of the event's latest Dry Run (an operator); an approver other than
    you and the Dry Run's runner then approves or rejects it."""
    from paymentprocess.service import approvals

    st = state(ctx)
    engine = st.engine()
    _print_state(approvals.request_final(engine, st.principal(engine), event_id), event_id)


@events_app.command("approve")
@friendly_errors
def approve_cmd(ctx: typer.Context, event_id: EventArg) -> None:
    """Approve the event's requested Final Run (an approver who neither requested it nor ran
    its Dry Run). Refused when the claims changed since that Dry Run."""
    from paymentprocess.service import approvals

    st = state(ctx)
    engine = st.engine()
    _print_state(approvals.approve(engine, st.principal(engine), event_id), event_id)


@events_app.command("reject")
@friendly_errors
def reject_cmd(
    ctx: typer.Context,
    event_id: EventArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded, shown to the team).")],
) -> None:
    """Reject the event's requested Final Run with a reason; it can then never be run (a new
    Dry Run and a new request can)."""
    from paymentprocess.service import approvals

    st = state(ctx)
    engine = st.engine()
    _print_state(approvals.reject(engine, st.principal(engine), event_id, reason), event_id)


@events_app.command("approval")
@friendly_errors
def approval_cmd(
    ctx: typer.Context,
    event_id: EventArg,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the event's latest Final Run request: status, who, the Dry Run and its totals."""
    from paymentprocess.service import approvals

    found = approvals.approval_state(state(ctx).engine(), event_id)
    if as_json:
        out.print_json(json.dumps(found.to_document() if found else None, default=str))
        return
    _print_state(found, event_id)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="event")
