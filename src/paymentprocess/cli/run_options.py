"""The options of the run commands (`run`, `dry-run`, `final-run`, `restore`), one alias each.

Their help texts are what `paymentprocess run --help` shows; each setting-like option (batch
size, log level, config path, database) overrides the environment for this one command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


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
ModeOpt = Annotated[RunMode, typer.Option("--mode", "-m", help="dry-run estimates; final pays.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        hidden=True,  # the seeds' option: accepted, warns that a run does not use it
        help=WORKERS_UNUSED,
    ),
]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        min=1,
        help="Rows per bulk write call of this run: one executemany (SQLite) or COPY "
        "data message (PostgreSQL) each, all in the run's one transaction "
        "(PAYMENT_BATCH_SIZE, default 1000).",
    ),
]
PartitionsOpt = Annotated[
    int | None,
    typer.Option(
        "--partitions",
        min=1,
        max=4096,
        help="Read and compute the cycle in this many partitions of whole chains, one after "
        "the other: the same results, less memory on a large cycle (PAYMENT_PARTITIONS; "
        "default: as few as PAYMENT_MEMORY_BUDGET allows; docs/scaling.md).",
    ),
]
LogLevelOpt = Annotated[str | None, typer.Option("--log-level", help="Log level for this run.")]
ConfigPathOpt = Annotated[
    Path | None,
    typer.Option(
        "--config-path",
        help="TOML file of settings with the environment variables' keys (db_uri = ..., "
        "batch_size = ...); the environment and .env override it (PAYMENT_CONFIG_PATH).",
    ),
]
DbUriOpt = Annotated[str | None, typer.Option("--db-uri", help="Database URI for this run.")]
ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Kept from the seeds' CLI; changes nothing. A run is one transaction, so a "
        "failed run left nothing behind to resume: this runs the event again from the "
        "start, exactly as without --resume.",
    ),
]
PcTypeOpt = Annotated[
    PcType | None, typer.Option("--pc-type", help="Assert the payee type (provider or dmr).")
]
BackupOpt = Annotated[
    int, typer.Option("--backup", min=1, max=2**31 - 1, help="Backup id (see `event show`).")
]
ForceIssuedOpt = Annotated[
    str | None,
    typer.Option(
        "--force-issued",
        metavar="REASON",
        help="Restore although the event's payment files were issued (they may have "
        "reached the bank); REASON is recorded on the files, which become superseded.",
    ),
]
