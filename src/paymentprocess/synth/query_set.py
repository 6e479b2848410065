"""`generate_query_set`: write the tiered query data set (SPEC §10) into an empty database.

The set serves the claim query endpoints and `paymentprocess bench query`: billing providers in
volume tiers of 1K / 10K / 100K / 1M claims (see `synth.query_plan` for the tiers and how they
scale), ordinary intake-shaped claims with 1–3 lines, and `provider_aggregate` rows that agree
with them (claim count and Σ net fee per NPI). Frames are built with Polars
(`synth.query_frames`), then written in one transaction with the bulk paths of
`storage.frames_write.write_frame` (COPY on PostgreSQL), in chunks with progress; `claim_fin_core`'s
secondary indexes (PostgreSQL: keys too, storage.bulk_keys) are dropped before the load and built again afterwards in the same
transaction, and the planner statistics are refreshed (`analyze`) before the commit. On
PostgreSQL the tables are then VACUUMed (outside the transaction), which sets the visibility map
as autovacuum would in time, so index-only scans (the COUNT of a provider's claims) need no heap
visits, whether or not autovacuum runs on the server. The summary
names every provider of every tier (TIN, NPI, claims), so a benchmark can pick one per tier.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from paymentprocess.storage.bulk_counts import add_claim_counts, bulk_counts
from paymentprocess.storage.bulk_keys import keys_built_after
from paymentprocess.storage.database import analyze, is_sqlite, tables_with_rows, unit_of_work
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import metadata
from paymentprocess.synth.plan import GenerationRefusedError
from paymentprocess.synth.query_frames import build_query_frames
from paymentprocess.synth.query_plan import QueryPlan, make_query_plan, provider_frame
from paymentprocess.synth.writer import ProgressFn

TABLES = ("claim_fin_core", "service_line", "provider_aggregate")
CHUNK_ROWS = 250_000


@dataclass(frozen=True)
class TierSummary:
    """One tier: nominal name, claims per provider (first provider of the top tier aside)."""

    tier: str
    volume: int
    providers: list[dict[str, Any]]  # {"tax_id", "npi", "claims"} in provider order


@dataclass(frozen=True)
class QuerySetSummary:
    """What `generate_query_set` wrote (machine-readable: `as_dict()`)."""

    seed: int
    claims: int
    rows: dict[str, int]
    tiers: list[TierSummary]
    seconds: float
    build_seconds: float
    write_seconds: float
    write_steps: dict[str, float]  # seconds per table written, index build, analyze, commit

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quiet(_description: str, _done: int, _total: int) -> None:
    return None


def refuse_non_empty(conn: Connection) -> None:
    """Raise unless every table the query set fills is empty."""
    busy = tables_with_rows(conn, TABLES)
    if busy:
        raise GenerationRefusedError(
            "the query set goes into an empty database, but these tables already hold rows: "
            f"{', '.join(busy)}; use a new database (--db-uri)"
        )


def tier_summaries(plan: QueryPlan) -> list[TierSummary]:
    providers = provider_frame(plan)
    out = []
    for tier in plan.tiers:
        rows = providers.filter(pl.col("tier") == tier.name).select(
            "tax_id", "npi", claims=pl.col("volume")
        )
        out.append(TierSummary(tier.name, tier.volume, rows.to_dicts()))
    return out


def generate_query_set(
    engine: Engine, claims: int, seed: int, *, progress: ProgressFn | None = None
) -> QuerySetSummary:
    """Build and write the query set of exactly `claims` claims; refuses a non-empty database."""
    report = progress or _quiet
    started = time.perf_counter()
    plan = make_query_plan(claims, seed)
    with unit_of_work(engine, write=False) as uow:
        refuse_non_empty(uow.conn)
    report("building claims and lines", 0, claims)
    frames = build_query_frames(plan)
    built = time.perf_counter()
    steps: dict[str, float] = {}
    rows = _write(engine, frames, report, steps)
    finished = time.perf_counter()
    return QuerySetSummary(
        seed=seed,
        claims=claims,
        rows=rows,
        tiers=tier_summaries(plan),
        seconds=round(finished - started, 3),
        build_seconds=round(built - started, 3),
        write_seconds=round(finished - built, 3),
        write_steps=steps,
    )


def _write(
    engine: Engine, frames: dict[str, pl.DataFrame], report: ProgressFn, steps: dict[str, float]
) -> dict[str, int]:
    total = sum(frame.height for frame in frames.values())
    done = 0
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    with unit_of_work(engine) as uow:
        conn = uow.conn
        refuse_non_empty(conn)
        if not is_sqlite(conn):
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        with bulk_counts(conn):  # the counts from the claim frame (claim_fin_core is held)
            for name in TABLES:
                frame, table = frames[name], metadata.tables[name]
                with keys_built_after(conn, table):
                    for chunk in frame.iter_slices(CHUNK_ROWS):
                        write_frame(conn, table, chunk)
                        done += chunk.height
                        report(f"writing {name}", done, total)
                    lap(name)
                    report(f"indexing {name}", done, total)
                lap(f"{name} indexes")
                if name == "claim_fin_core":
                    add_claim_counts(conn, frame, fresh=True)
                    lap("claim counts")
        report("analyzing", done, total)
        analyze(conn, list(TABLES))
        lap("analyze")
        report("committing", done, total)
        uow.commit()
        lap("commit")
    if engine.dialect.name == "postgresql":
        report("vacuuming", done, total)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in TABLES:
                conn.exec_driver_sql(f'VACUUM "{name}"')
        lap("vacuum")
    return {name: frame.height for name, frame in frames.items()}
