"""Measurements behind `bench run`: generate a cycle, time its runs, time the reference.

`measure_engine(uri, claims, seed)` generates a cycle of `claims` claims into the (empty)
database, then runs its Dry Run and Final Run through `service.runs.run_payment_event`, each
timed end to end (lock, every stage, stats, commit) with the per-stage `timings_ms` and the peak
RSS sampled while it ran. Large cycles are generated (and the reference computed) in a child
process, so the generator's frames and the reference's documents do not inflate the runs' memory
figures. With `with_reference`, the cycle's documents are
first read the way `export` does and `reference.cycle.compute_cycle` (the per-claim Decimal
implementation) is timed on them, so the reference and the engine run on the same data.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from paymentprocess.bench.copy_floor import read_floor, write_floor
from paymentprocess.bench.machine import PeakRss
from paymentprocess.storage.database import create_engine_for

EVENT_ID = "PE-1"
IN_PROCESS_MAX_CLAIMS = 20_000  # below this, generating in a child process costs more than it saves


@dataclass
class RunFigures:
    """One run of one event: wall time, stage timings, peak RSS, outcome."""

    mode: str
    wall_s: float
    timings_ms: dict[str, int]
    peak_rss_mb: float
    start_rss_mb: float
    exit_code: int
    status: str


@dataclass
class EngineFigures:
    claims: int
    service_lines: int
    generate_s: float
    rows: dict[str, int]
    runs: list[RunFigures] = field(default_factory=list)
    read_floor_s: float | None = None  # bench.copy_floor (PostgreSQL)
    write_floor_s: float | None = None

    def run(self, mode: str) -> RunFigures:
        return next(r for r in self.runs if r.mode == mode)


@dataclass
class ReferenceFigures:
    claims: int
    service_lines: int
    read_documents_s: float
    reference_s: float
    reference_peak_rss_mb: float
    engine_final_s: float
    reference_status: str
    engine_compute_s: float = 0.0  # the Final Run's computing stages on the same claims


# The engine's stages that do the reference's work (validation, payees, claim arithmetic,
# interest, ledger, result checks) on frames already in memory — no reads, no writes.
COMPUTE_STAGES = ("payees", "validate", "transform", "compute", "ledger", "validate_results")


def compute_seconds(timings_ms: dict[str, int]) -> float:
    return round(sum(timings_ms.get(stage, 0) for stage in COMPUTE_STAGES) / 1000, 3)


def _generate(uri: str, claims: int, seed: int) -> dict[str, Any]:
    """Generate a cycle (default data errors: the Final Run pays); the summary as a dict."""
    from paymentprocess.synth import generate_cycle

    engine = create_engine_for(uri)
    try:
        return generate_cycle(engine, claims, seed, event_id=EVENT_ID).as_dict()
    finally:
        engine.dispose()


def generate(uri: str, claims: int, seed: int) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    if claims <= IN_PROCESS_MAX_CLAIMS:
        summary = _generate(uri, claims, seed)
    else:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            summary = pool.apply(_generate, (uri, claims, seed))
    return summary, round(time.perf_counter() - started, 3)


def timed_run(engine: Engine, mode: str, partitions: int = 1) -> RunFigures:
    from paymentprocess.service.runs import run_payment_event

    gc.collect()
    with PeakRss() as peak:
        started = time.perf_counter()
        outcome = run_payment_event(
            engine, EVENT_ID, "final" if mode == "final" else "dry-run", partitions=partitions
        )
        wall = time.perf_counter() - started
    return RunFigures(
        mode=mode,
        wall_s=round(wall, 3),
        timings_ms=dict(outcome.document.get("timings_ms", {})),
        peak_rss_mb=peak.mb,
        start_rss_mb=peak.start_mb,
        exit_code=outcome.exit_code,
        status=str(outcome.document.get("status", outcome.message)),
    )


def measure_engine(
    uri: str, claims: int, seed: int, *, with_reference: bool = False, partitions: int = 1
) -> tuple[EngineFigures, ReferenceFigures | None]:
    """Generate, then (optionally) the reference on the cycle's documents, then both runs."""
    summary, seconds = generate(uri, claims, seed)
    lines = int(summary["phenomena"].get("service_lines", 0))
    figures = EngineFigures(claims, lines, seconds, dict(summary["rows"]))
    reference = _reference(uri, claims, lines) if with_reference else None
    engine = create_engine_for(uri)
    try:
        figures.runs.append(timed_run(engine, "dry-run", partitions))
        figures.read_floor_s = read_floor(engine, EVENT_ID)
        figures.runs.append(timed_run(engine, "final", partitions))
        figures.write_floor_s = write_floor(engine, EVENT_ID)
    finally:
        engine.dispose()
    if reference is not None:
        reference.engine_final_s = figures.run("final").wall_s
        reference.engine_compute_s = compute_seconds(figures.run("final").timings_ms)
    return figures, reference


def read_documents(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every importable collection as `export` writes it (the reference's input)."""
    from paymentprocess.io.collections import IMPORTABLE
    from paymentprocess.io.export import export_documents

    with engine.connect() as conn:
        return {c.name: export_documents(conn, c.name) for c in IMPORTABLE}


def _reference(uri: str, claims: int, lines: int) -> ReferenceFigures:
    """The reference's figures, from a child process for large cycles (like `generate`)."""
    if claims <= IN_PROCESS_MAX_CLAIMS:
        return _reference_job(uri, claims, lines)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        figures: ReferenceFigures = pool.apply(_reference_job, (uri, claims, lines))
    return figures


def _reference_job(uri: str, claims: int, lines: int) -> ReferenceFigures:
    """Time `compute_cycle` (Final Run) on the documents of the cycle in `uri`."""
    from paymentprocess.reference.cycle import compute_cycle

    engine = create_engine_for(uri)
    started = time.perf_counter()
    try:
        documents = read_documents(engine)
    finally:
        engine.dispose()
    read_s = time.perf_counter() - started
    gc.collect()
    with PeakRss() as peak:
        started = time.perf_counter()
        result = compute_cycle(documents, EVENT_ID, "final")
        reference_s = time.perf_counter() - started
    status = result.status
    del documents, result
    gc.collect()
    return ReferenceFigures(
        claims=claims,
        service_lines=lines,
        read_documents_s=round(read_s, 3),
        reference_s=round(reference_s, 3),
        reference_peak_rss_mb=peak.mb,
        engine_final_s=0.0,
        reference_status=status,
    )


def measure_reference(uri: str, claims: int, seed: int) -> ReferenceFigures:
    """The reference and the engine's Final Run on one cycle of `claims` claims."""
    _, reference = measure_engine(uri, claims, seed, with_reference=True)
    assert reference is not None
    return reference
