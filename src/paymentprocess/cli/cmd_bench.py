"""`paymentprocess bench run|query|outputs|intake|relay`: the performance script (SPEC §10).

Each sub-benchmark prints rich tables and merges its figures into `bench-report.json` and
`bench-report.md` in `--out` (default: the current directory), with the machine, the load
average, the versions and the data size. `run`, `intake` and `relay` work in throwaway databases created
beside `--db-uri` and removed afterwards; `query` reads a database that holds the query set
(`generate query-set`). The work itself lives in `paymentprocess.bench`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.errors import SettingsError

if TYPE_CHECKING:
    from paymentprocess.bench.report import BenchReport

bench_app = typer.Typer(
    help="Measure payment runs, claim queries and claim intake; write bench-report.md/.json.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbUri = Annotated[
    str | None, typer.Option("--db-uri", help="Database (default: the global --db-uri).")
]
OutDir = Annotated[Path, typer.Option("--out", help="Directory for bench-report.md/.json.")]


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")


def _uri(ctx: typer.Context, db_uri: str | None) -> str:
    if db_uri is not None:
        return db_uri
    return state(ctx).settings.db_uri


def _say(message: str) -> None:
    console.print(f"[dim]{message}[/dim]", highlight=False)


def _finish(report: BenchReport, out_dir: Path) -> None:
    from paymentprocess.bench.report import print_report, write_reports

    print_report(report, out)
    json_path, md_path = write_reports(report, out_dir)
    console.print(f"wrote {md_path} and {json_path}", highlight=False)


def _sizes(claims: int | None, sizes: str | None) -> list[int]:
    if sizes:
        try:
            values = [int(s.replace("_", "").strip()) for s in sizes.split(",") if s.strip()]
        except ValueError:
            raise SettingsError(
                f"--sizes must be numbers separated by commas (got {sizes!r})"
            ) from None
    else:
        values = [claims if claims is not None else 100_000]
    if not values or min(values) < 200:
        raise SettingsError("every size must be at least 200 claims")
    return sorted(values)


@bench_app.command("run")
@friendly_errors
def run(
    ctx: typer.Context,
    claims: Annotated[int | None, typer.Option("--claims", help="Claims in the cycle.")] = None,
    sizes: Annotated[
        str | None, typer.Option("--sizes", help="Several sizes, e.g. 100000,300000,1000000.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Generator seed.")] = 42,
    reference_claims: Annotated[
        int | None,
        typer.Option(
            "--reference-claims",
            help="Claims for the reference (default min(N, 100000)); 0 skips it.",
        ),
    ] = None,
    partitions: Annotated[
        int,
        typer.Option(
            "--partitions",
            min=1,
            help="Compute each run in this many partitions of chains (same results; measures "
            "what splitting costs).",
        ),
    ] = 1,
    db_uri: DbUri = None,
    out_dir: OutDir = Path(),
) -> None:
    """Dry Run and Final Run throughput (per stage, RSS) and the speed-up over the reference."""
    from paymentprocess.bench.run_bench import bench_run

    report = bench_run(
        _uri(ctx, db_uri), _sizes(claims, sizes), seed, reference_claims, _say, partitions
    )
    _finish(report, out_dir)


@bench_app.command("query")
@friendly_errors
def query(
    ctx: typer.Context,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, max=1000, help="Timed repetitions.")
    ] = 30,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="Page size.")] = 50,
    workers: Annotated[int, typer.Option("--workers", min=1, max=8, help="Server workers.")] = 1,
    db_uri: DbUri = None,
    out_dir: OutDir = Path(),
) -> None:
    """Query latency per provider tier through the HTTP API (count, first/next/previous page)."""
    from paymentprocess.bench.query_bench import bench_query

    report = bench_query(_uri(ctx, db_uri), repeat=repeat, limit=limit, workers=workers, say=_say)
    _finish(report, out_dir)


@bench_app.command("outputs")
@friendly_errors
def outputs(
    ctx: typer.Context,
    claims: Annotated[
        int, typer.Option("--claims", min=1, help="Claims in the generated cycle.")
    ] = 1_000_000,
    seed: Annotated[int, typer.Option("--seed", help="Generator seed.")] = 7,
    sample: Annotated[
        int,
        typer.Option(
            "--validator-sample",
            min=0,
            help="835s checked by pyx12 and oxedi (timed apart; 0 = none).",
        ),
    ] = 200,
    db_uri: DbUri = None,
    out_dir: OutDir = Path(),
) -> None:
    """The payment files of a Final Run (835s, NACHA, checks), timed beside that Final Run."""
    from paymentprocess.bench.outputs_bench import bench_outputs
    from paymentprocess.outputs.issue import x12_settings

    x12 = x12_settings(state(ctx).settings)
    report = bench_outputs(_uri(ctx, db_uri), claims, seed, sample, _say, x12=x12)
    _finish(report, out_dir)


@bench_app.command("intake")
@friendly_errors
def intake(
    ctx: typer.Context,
    clients: Annotated[
        int, typer.Option("--clients", min=1, max=256, help="Concurrent clients.")
    ] = 16,
    seconds: Annotated[
        float, typer.Option("--seconds", min=0.5, max=600, help="Duration of each load.")
    ] = 60.0,
    workers: Annotated[int, typer.Option("--workers", min=1, max=8, help="Server workers.")] = 2,
    baseline: Annotated[
        bool,
        typer.Option("--baseline/--no-baseline", help="Also load the FastAPI + SQLModel baseline."),
    ] = True,
    with_relay: Annotated[
        bool,
        typer.Option(
            "--with-relay", help="Run `relay` beside the load (PAYMENT_BROKER_URL): rate and lag."
        ),
    ] = False,
    db_uri: DbUri = None,
    out_dir: OutDir = Path(),
) -> None:
    """Claim intake throughput and latency under load, and the ratio to a SQLModel baseline."""
    from paymentprocess.bench.intake_bench import bench_intake

    report = bench_intake(
        _uri(ctx, db_uri), clients=clients, seconds=seconds, workers=workers,
        baseline=baseline, with_relay=with_relay, say=_say,
    )  # fmt: skip
    _finish(report, out_dir)


@bench_app.command("relay")
@friendly_errors
def relay(
    ctx: typer.Context,
    events: Annotated[
        int, typer.Option("--events", min=1, max=5_000_000, help="Events in the backlog.")
    ] = 20_000,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=10_000, help="Rows per relay batch.")
    ] = 500,
    db_uri: DbUri = None,
    out_dir: OutDir = Path(),
) -> None:
    """How fast one relay drains a backlog of events to RabbitMQ (PAYMENT_BROKER_URL)."""
    from paymentprocess.bench.relay_bench import bench_relay

    report = bench_relay(_uri(ctx, db_uri), events=events, batch_size=batch_size, say=_say)
    _finish(report, out_dir)
