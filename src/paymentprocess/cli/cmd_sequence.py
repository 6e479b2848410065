"""`sequence list | set`: the SequenceNumbers a run draws payee ids, ledger ids and check numbers
from; creating or moving one is an explicit act (service.sequences)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from paymentprocess.cli.common import friendly_errors, out, state
from paymentprocess.domain.roles import Action
from paymentprocess.domain.sequences import MAX_VALUE

sequence_app = typer.Typer(
    help="List the sequences (payee ids, ledger ids, check numbers) or create or move one.",
    no_args_is_help=True,
)


@sequence_app.command("list")
@friendly_errors
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print [{name, value}, ...] as JSON.")
    ] = False,
) -> None:
    """List every sequence with its last used value."""
    from paymentprocess.service.sequences import list_sequences

    rows = list_sequences(state(ctx).engine())
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table(title="Sequences (last number used)")
    table.add_column("Name", overflow="fold")
    table.add_column("Value", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(str(r["name"]), str(r["value"]))
    out.print(table)


@sequence_app.command("set")
@friendly_errors
def set_cmd(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="PaymentCenter, OverAndUnderPayment or CheckNumber:<FundingSource_ID>."
        ),
    ],
    value: Annotated[
        int,
        typer.Argument(min=0, max=MAX_VALUE, help="The last number used (the next is one more)."),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also below the largest number already used, for another name or an unknown "
            "funding source.",
        ),
    ] = False,
) -> None:
    """Create a sequence or move it. Refused below the largest number already used (the
    largest check number paid from that funding source, PaymentCenter_ID or ledger id)."""
    from paymentprocess.service.sequences import set_sequence

    engine = state(ctx).engine()
    state(ctx).principal(engine, Action.LOAD_DATA)
    change = set_sequence(engine, name, value, force=force)
    what = "created at" if change.before is None else f"moved from {change.before} to"
    out.print(
        f"sequence {change.name} {what} {change.value}: the next number is {change.value + 1} "
        f"(largest already used: {change.largest_used})" + (" — forced" if change.forced else ""),
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sequence_app, name="sequence")
