"""`bench run`: payment-run throughput at one or more sizes, against the reference implementation.

For every size N, in a throwaway database beside `--db-uri`: generate a cycle of N claims, run
its Dry Run and Final Run, and report the wall time end to end, every stage's time (the run's own
`timings_ms`, including `persist.*`), the peak RSS, claims/s and service lines/s. Then the
reference implementation (`reference.cycle.compute_cycle`, claim by claim in Decimal) on a
separately generated cycle of K claims with the same seed (`--reference-claims`, default
min(largest N, 100,000)), timed in this same process together with the engine's Final Run on
those K claims; its time is scaled linearly to each N for the speed-up at N (stated as such).
Several sizes give the per-claim cost at each (is the cost linear?).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paymentprocess.bench.databases import is_sqlite_uri, throwaway_database
from paymentprocess.bench.machine import versions
from paymentprocess.bench.report import BenchReport
from paymentprocess.bench.run_measure import (
    COMPUTE_STAGES,
    EngineFigures,
    ReferenceFigures,
    measure_engine,
    measure_reference,
)
from paymentprocess.storage.database import create_engine_for

GOAL_CLAIMS = 1_000_000
GOAL_FINAL_S = {"postgresql": 12.0, "sqlite": 20.0}
GOAL_RSS_MB = 3 * 1024
GOAL_SPEEDUP = 50.0
LINEAR_TOLERANCE = 1.25  # per-claim cost at the largest size within 25 % of the smallest
Say = Callable[[str], None]


def bench_run(
    base_uri: str,
    sizes: Sequence[int],
    seed: int,
    reference_claims: int | None,
    say: Say = print,
    partitions: int = 1,
) -> BenchReport:
    kind = "sqlite" if is_sqlite_uri(base_uri) else "postgresql"
    report = BenchReport("run")
    engine = create_engine_for(base_uri)
    try:
        report.versions = versions(engine)
    finally:
        engine.dispose()
    k = reference_claims if reference_claims is not None else min(max(sizes), 100_000)
    results: list[EngineFigures] = []
    reference: ReferenceFigures | None = None
    for n in sizes:
        also = " (and the reference on the same cycle)" if n == k else ""
        say(f"run: generating {n:,} claims, then Dry Run and Final Run ({kind}){also}")
        with throwaway_database(base_uri, f"run{n}") as uri:
            figures, ref = measure_engine(
                uri, n, seed, with_reference=n == k, partitions=partitions
            )
        results.append(figures)
        reference = ref or reference
    if k > 0 and reference is None:
        say(f"run: reference implementation on a separate cycle of {k:,} claims")
        with throwaway_database(base_uri, f"ref{k}") as uri:
            reference = measure_reference(uri, k, seed)
    report.data = {
        "database": kind,
        "sizes (claims)": ", ".join(f"{n:,}" for n in sizes),
        "seed": seed,
        "reference claims": k,
        "partitions": partitions,
    }
    _tables(report, results, reference)
    _goals(report, kind, results, reference)
    report.raw = {
        "engine": [vars(r) | {"runs": [vars(x) for x in r.runs]} for r in results],
        "reference": vars(reference) if reference else None,
    }
    report.finish()
    return report


def _tables(
    report: BenchReport, results: list[EngineFigures], ref: ReferenceFigures | None
) -> None:
    summary = report.table(
        "Runs end to end", "claims", "service lines", "run", "wall s", "claims/s", "lines/s",
        "µs/claim", "peak RSS MB", "status",
    )  # fmt: skip
    for r in results:
        for run in r.runs:
            summary.add(
                r.claims, r.service_lines, run.mode, run.wall_s,
                round(r.claims / run.wall_s), round(r.service_lines / run.wall_s),
                round(run.wall_s * 1e6 / r.claims, 2), run.peak_rss_mb, run.status,
            )  # fmt: skip
    floors = [r for r in results if r.read_floor_s is not None and r.write_floor_s is not None]
    if floors:
        floor = report.table(
            "The database's floor (COPY of the Final Run's inputs out, of its claim rows in)",
            "claims", "COPY inputs out s", "COPY claim rows in s", "Final Run s",
            "run / (read + write)",
        )  # fmt: skip
        for r in floors:
            assert r.read_floor_s is not None
            assert r.write_floor_s is not None
            final_s = r.run("final").wall_s
            floor.add(
                r.claims, r.read_floor_s, r.write_floor_s, final_s,
                _ratio(final_s, r.read_floor_s + r.write_floor_s),
            )  # fmt: skip
    for r in results:
        dry, final = r.run("dry-run"), r.run("final")
        stages = report.table(
            f"Stages at {r.claims:,} claims (ms; generation took {r.generate_s:.1f} s)",
            "stage", "Dry Run", "Final Run", "share of Final %",
        )  # fmt: skip
        for name in stage_order([*dry.timings_ms, *final.timings_ms]):
            f_ms = final.timings_ms.get(name)
            share = None if f_ms is None else round(100 * f_ms / (final.wall_s * 1000), 1)
            stages.add(name, dry.timings_ms.get(name), f_ms, share)
        outside = [round(x.wall_s * 1000) - top_level_ms(x.timings_ms) for x in (dry, final)]
        stages.add(
            "outside the stages (lock, stats, commit)", outside[0], outside[1],
            round(100 * outside[1] / (final.wall_s * 1000), 1),
        )  # fmt: skip
        stages.add("wall (end to end)", round(dry.wall_s * 1000), round(final.wall_s * 1000), 100.0)
    if ref is not None:
        table = report.table(
            f"Reference implementation ({ref.claims:,} claims, same benchmark run)",
            "measure", "value",
        )  # fmt: skip
        table.add("reference compute_cycle (final) s", ref.reference_s)
        table.add("reference µs/claim", round(ref.reference_s * 1e6 / ref.claims, 1))
        table.add("reference peak RSS MB", ref.reference_peak_rss_mb)
        table.add("reading its documents from the database s", ref.read_documents_s)
        table.add("engine Final Run on the same claims, end to end s", ref.engine_final_s)
        table.add(
            f"engine computing stages of that run s ({', '.join(COMPUTE_STAGES)})",
            ref.engine_compute_s,
        )
        table.add(
            "speed-up of the computation × (compute_cycle / computing stages)",
            _ratio(ref.reference_s, ref.engine_compute_s),
        )
        table.add(
            "speed-up end to end × (reading documents + compute_cycle / Final Run)",
            _ratio(ref.read_documents_s + ref.reference_s, ref.engine_final_s),
        )
        for r in results:
            scaled = ref.reference_s * r.claims / ref.claims
            table.add(
                f"reference scaled linearly to {r.claims:,} claims s (estimate)", round(scaled, 1)
            )
            table.add(
                f"speed-up at {r.claims:,} claims × (scaled reference / measured Final Run)",
                _ratio(scaled, r.run("final").wall_s),
            )
        same = any(r.claims == ref.claims for r in results)
        where = (
            f"on the same {ref.claims:,}-claim cycle as the engine"
            if same
            else f"on a separately generated cycle of {ref.claims:,} claims with the same seed "
            "(the generator's plan scales with N, so it is not a subset of the larger cycle)"
        )
        report.notes.append(
            f"The reference ran {where}; its time is scaled linearly to each size. Side by side "
            "on the same claims, two ratios: the computation (compute_cycle over documents in "
            "memory against the engine's computing stages over frames in memory — the same work: "
            "validation, payees, claim arithmetic, interest, ledger, result checks) and end to "
            "end (reading the documents plus compute_cycle, which writes nothing, against the "
            "whole Final Run, which also reads, backs up and writes every result)."
        )
    report.notes.append(
        "Wall time is run_payment_event in this process: lock, every stage, stats and commit; "
        "the CLI adds interpreter start-up and imports (about 1–3 s). Peak RSS is sampled every "
        "20 ms while the run ran. Above 20,000 claims the cycle is generated, and the reference "
        "computed, in child processes, so neither inflates the runs' memory."
    )


def stage_order(names: list[str]) -> list[str]:
    """Stages in run order, each `stage.step` right after its `stage`."""
    unique = list(dict.fromkeys(names))
    tops = [n for n in unique if "." not in n]
    out = []
    for top in tops:
        out.append(top)
        out += [n for n in unique if n.startswith(top + ".")]
    return out + [n for n in unique if n not in out]


def top_level_ms(timings: dict[str, int]) -> int:
    return sum(ms for name, ms in timings.items() if "." not in name)


def _ratio(slow: float, fast: float) -> float | None:
    return round(slow / fast, 1) if fast > 0 else None


def _goals(
    report: BenchReport, kind: str, results: list[EngineFigures], ref: ReferenceFigures | None
) -> None:
    at_goal = next((r for r in results if r.claims == GOAL_CLAIMS), None)
    limit = GOAL_FINAL_S[kind]
    if at_goal is not None:
        final = at_goal.run("final")
        report.goal(
            f"Final Run of 1M claims ({kind})", f"≤ {limit:.0f} s", f"{final.wall_s:.1f} s",
            final.wall_s <= limit,
        )  # fmt: skip
        report.goal(
            "peak RSS of the 1M Final Run", "≤ 3 GB", f"{final.peak_rss_mb / 1024:.2f} GB",
            final.peak_rss_mb <= GOAL_RSS_MB,
        )  # fmt: skip
    else:
        report.goal(f"Final Run of 1M claims ({kind})", f"≤ {limit:.0f} s", "size not run", None)
    if ref is not None and results:
        speedup = _ratio(ref.reference_s, ref.engine_compute_s)
        report.goal(
            f"speed-up of the computation over the reference ({ref.claims:,} claims, measured)",
            "≥ 50×", f"{speedup}×", speedup is not None and speedup >= GOAL_SPEEDUP,
        )  # fmt: skip
        largest = results[-1]
        whole = _ratio(ref.reference_s * largest.claims / ref.claims, largest.run("final").wall_s)
        report.goal(
            f"speed-up end to end at {largest.claims:,} claims (reference scaled; Final Run reads "
            "and writes, the reference does not)", "≥ 50×", f"{whole}×",
            whole is not None and whole >= GOAL_SPEEDUP,
        )  # fmt: skip
    if len(results) >= 2:
        costs = [r.run("final").wall_s / r.claims for r in results]
        growth = costs[-1] / costs[0]
        report.goal(
            "linear cost (Final Run µs/claim, largest ÷ smallest size)",
            f"≤ {LINEAR_TOLERANCE}", f"{growth:.2f}", growth <= LINEAR_TOLERANCE,
        )  # fmt: skip
