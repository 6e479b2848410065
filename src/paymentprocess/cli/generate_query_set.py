"""`paymentprocess generate query-set`: write the tiered claim query data set (SPEC §10).

A thin adapter over `synth.query_set.generate_query_set`: a progress bar on stderr while the
frames are built and written, then the rows per table and, per tier, its providers (the first
few TINs and NPIs in the table; every provider with `--json`), which `bench query` picks from.
Registered under `generate` by `cli/cmd_generate.py`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.synth.sizes import NOMINAL_CLAIMS

if TYPE_CHECKING:
    from paymentprocess.synth.query_set import QuerySetSummary

SHOWN_PER_TIER = 3


@friendly_errors
def query_set(
    ctx: typer.Context,
    claims: Annotated[
        int, typer.Option("--claims", help="Claims in the set (tiers scale below 3,000,000).")
    ] = NOMINAL_CLAIMS,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate the claim query data set: providers in 1K/10K/100K/1M-claim tiers (empty database)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from paymentprocess.synth.query_set import generate_query_set

    engine = state(ctx).engine()
    try:
        with Progress(
            TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            task = bar.add_task("planning", total=None)

            def progress(description: str, done: int, total: int) -> None:
                bar.update(task, description=description, completed=done, total=total)

            summary = generate_query_set(engine, claims, seed, progress=progress)
    finally:
        engine.dispose()
    if as_json:
        out.print_json(json.dumps(summary.as_dict()))
    else:
        _print(summary)


def _print(summary: QuerySetSummary) -> None:
    out.print(
        f"Generated the query set: {summary.claims:,} claims (seed {summary.seed}) in "
        f"{summary.seconds:.1f} s (build {summary.build_seconds:.1f} s, write "
        f"{summary.write_seconds:.1f} s)"
    )
    rows = Table(title="Rows written", title_justify="left")
    rows.add_column("table")
    rows.add_column("count", justify="right")
    for name, count in summary.rows.items():
        rows.add_row(name, f"{count:,}")
    out.print(rows)
    tiers = Table(title="Provider tiers", title_justify="left")
    for column in ("tier", "claims/provider", "providers", "TIN", "NPI", "claims"):
        tiers.add_column(column, justify="right" if column != "tier" else "left")
    for tier in summary.tiers:
        for n, provider in enumerate(tier.providers[:SHOWN_PER_TIER]):
            first = n == 0
            tiers.add_row(
                tier.tier if first else "",
                f"{tier.volume:,}" if first else "",
                f"{len(tier.providers):,}" if first else "",
                provider["tax_id"],
                provider["npi"],
                f"{provider['claims']:,}",
            )
    out.print(tiers)
    out.print("Next: paymentprocess bench query (picks one provider per tier)")
