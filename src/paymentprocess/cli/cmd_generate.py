"""`paymentprocess generate`: write a deterministic synthetic payment cycle into the database.

A thin adapter over `synth.generate_cycle`: parses the options, shows a progress bar on stderr
while frames are built and written, then prints the rows written per table, the phenomena the
cycle contains and the deliberate data errors (or the whole summary as JSON with `--json`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.domain.roles import Action

if TYPE_CHECKING:
    from paymentprocess.synth import GenerationSummary
    from paymentprocess.synth.plan import ErrorMode, EventType


def register(app: typer.Typer) -> None:
    from paymentprocess.cli.generate_query_set import query_set

    group = typer.Typer(
        no_args_is_help=False, context_settings={"help_option_names": ["-h", "--help"]}
    )
    group.callback(invoke_without_command=True)(generate)
    group.command("query-set")(query_set)
    app.add_typer(group, name="generate")


def _mode(with_critical_errors: bool, clean: bool) -> ErrorMode:
    from paymentprocess.synth import GenerationRefusedError

    if with_critical_errors and clean:
        raise GenerationRefusedError("choose at most one of --with-critical-errors and --clean")
    if with_critical_errors:
        return "critical"
    return "clean" if clean else "default"


def _event_type(value: str) -> EventType:
    from paymentprocess.synth import GenerationRefusedError

    lowered = value.strip().lower()
    if lowered == "provider":
        return "Provider"
    if lowered == "dmr":
        return "DMR"
    raise GenerationRefusedError(f"--type must be Provider or DMR (got {value!r})")


@friendly_errors
def generate(
    ctx: typer.Context,
    claims: Annotated[
        int | None, typer.Option("--claims", help="Claims in the current event (≥ 200; required).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Same seed, same data (required).")
    ] = None,
    event_id: Annotated[str, typer.Option("--event-id", "-p", help="The new event's id.")] = "PE-1",
    event_type: Annotated[str, typer.Option("--type", help="Provider or DMR.")] = "Provider",
    with_critical_errors: Annotated[
        bool, typer.Option("--with-critical-errors", help="Add every Critical data error kind.")
    ] = False,
    clean: Annotated[bool, typer.Option("--clean", help="Generate no data errors at all.")] = False,
    with_output_defects: Annotated[
        bool,
        typer.Option(
            "--with-output-defects",
            help="A payer without EDI contact, some EFT payees with a bad routing number.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate a complete payment cycle (stage New) ready for `run -m dry-run -p EVENT`.

    `generate query-set` writes the tiered claim query data set instead.
    """
    if ctx.invoked_subcommand is not None:
        return
    if claims is None or seed is None:
        missing = "--claims" if claims is None else "--seed"
        raise typer.BadParameter("is required to generate a payment cycle", param_hint=missing)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from paymentprocess.synth import generate_cycle

    mode = _mode(with_critical_errors, clean)
    kind = _event_type(event_type)
    engine = state(ctx).engine()
    state(ctx).principal(engine, Action.LOAD_DATA)
    try:
        with Progress(
            TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            task = bar.add_task("planning", total=None)

            def progress(description: str, done: int, total: int) -> None:
                bar.update(task, description=description, completed=done, total=total)

            summary = generate_cycle(
                engine, claims, seed, event_id=event_id, event_type=kind, errors=mode,
                progress=progress, output_defects=with_output_defects,
            )  # fmt: skip
    finally:
        engine.dispose()
    if as_json:
        out.print_json(json.dumps(summary.as_dict()))
    else:
        _print(summary)


def _print(summary: GenerationSummary) -> None:
    out.print(
        f"Generated payment event [bold]{summary.payment_event_id}[/bold] "
        f"({summary.event_type}, seed {summary.seed}, errors: {summary.errors}, "
        f"payment due {summary.payment_due_date}) in {summary.seconds:.1f} s"
    )
    for title, counts, header in (
        ("Rows written", summary.rows, "table"),
        ("Phenomena", summary.phenomena, "phenomenon"),
        ("Deliberate data errors", summary.data_errors, "finding code"),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(header)
        table.add_column("count", justify="right")
        for name, count in counts.items():
            table.add_row(name, f"{count:,}")
        if not counts:
            table.add_row("(none)", "0")
        out.print(table)
    out.print(f"Next: paymentprocess run -m dry-run -p {summary.payment_event_id}")
