"""`load DIR` and `export DIR`: move the seed collections in and out as JSON files.

Thin adapters over `io.load.load_directory` and `io.export.export_directory`: a progress bar per
file, a summary table of rows per collection and the load's notes (values rounded, files skipped),
and on bad input the list of bad records (summarised when there are many) with exit code 1
(nothing is written).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.domain.roles import Action
from paymentprocess.errors import InputError, problem_lines

if TYPE_CHECKING:
    from rich.progress import TaskID


class ExportFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"


def register(app: typer.Typer) -> None:
    app.command("load")(load_cmd)
    app.command("export")(export_cmd)


@friendly_errors
def load_cmd(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(help="Directory holding <Collection>.json files (array or JSON Lines)."),
    ],
    round_money_doubles: Annotated[
        bool,
        typer.Option(
            "--round-money-doubles",
            help="Round money given as a double with more than two decimals "
            "(20.040000000000003) half-up to cents, and report what changed.",
        ),
    ] = False,
    skip_unknown: Annotated[
        bool,
        typer.Option(
            "--skip-unknown",
            help="List .json files that are no collection file and go on (else: an error).",
        ),
    ] = False,
) -> None:
    """Load collection files (ClaimFinCore.json, PaymentCenter.json, ...) into the database.

    MongoDB Extended JSON ($date, $numberDecimal, $numberLong, $oid,
    $numberDouble) is accepted, so files from mongoexport (relaxed or
    canonical) load as they are; alternate names such as
    OverAndUnderPayments.json are read. If any record is bad, every bad
    record is listed (summarised when there are many) and nothing is written.
    """
    from paymentprocess.io.files import existing_directory
    from paymentprocess.io.load import LoadOptions, load_directory

    existing_directory(directory)
    settings = state(ctx).settings
    options = LoadOptions(
        round_money_doubles=round_money_doubles,
        skip_unknown=skip_unknown,
        stage_aliases=settings.stage_alias_table,
    )
    engine = state(ctx).engine()
    state(ctx).principal(engine, Action.LOAD_DATA)
    started = time.perf_counter()
    notes: list[str] = []
    try:
        with _bars() as update:
            counts = load_directory(
                engine, directory, progress=update, notes=notes, options=options
            )
    except InputError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    _summary(f"Loaded from {directory} in {seconds:.1f} s", counts, "rows loaded")
    for note in notes:
        console.print(note, markup=False, highlight=False, soft_wrap=True)


@friendly_errors
def export_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory to write (created if missing).")],
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", help="json: one JSON array per file; jsonl: JSON Lines."),
    ] = ExportFormat.json,
) -> None:
    """Write every collection, PaymentRegister and PaymentEventStats to DIR/<Collection>.json.

    Amounts are strings with two decimals, dates YYYY-MM-DD, records
    sorted by id; loading the files into an empty database gives the
    same data back.
    """
    from paymentprocess.io.export import export_directory

    engine = state(ctx).engine()
    state(ctx).principal(engine, Action.LOAD_DATA)
    started = time.perf_counter()
    with _bars(one_bar=True) as update:
        counts = export_directory(engine, directory, fmt=fmt.value, progress=update)
    seconds = time.perf_counter() - started
    _summary(f"Exported to {directory} in {seconds:.1f} s", counts, "documents")


@contextmanager
def _bars(*, one_bar: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """Rich progress bars fed by (label, done, total): one per label, or one named by the label."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as progress:

        def update(label: str, done: int, total: int) -> None:
            task = "" if one_bar else label
            if task not in tasks:
                tasks[task] = progress.add_task(label, total=total)
            progress.update(tasks[task], completed=done, total=total, description=label)

        yield update


def _print_problems(exc: InputError) -> None:
    """Bad records on unwrapped lines (searchable); many of them summarised (`errors.problem_lines`)."""
    console.print(f"[red]error:[/red] {exc.headline}")
    for line in problem_lines(exc.problems):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _summary(title: str, counts: dict[str, int], what: str) -> None:
    table = Table(title=title)
    table.add_column("collection")
    table.add_column(what, justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
