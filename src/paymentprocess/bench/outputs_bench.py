"""`bench outputs`: the payment files of a Final Run, timed beside that Final Run.

In a throwaway database beside `--db-uri`: generate a cycle of N claims, run its Dry Run and Final
Run, then `issue_outputs` twice — the first issue (controls allocated, control rows recorded,
files written) and a regeneration (the same bytes rewritten) — each with its steps' times
(`OutputReport.timings_ms`) and its peak RSS. The independent validators (pyx12, oxedi, achkit:
development dependencies) are timed separately on a sample of the 835s and on the NACHA file, and
their verdicts reported; they are not part of the product's time. The other-adjustment CAS code is
PAYMENT_OTHER_ADJUSTMENT_CAS when set, else OA:23 (as in the demo).
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paymentprocess.bench import validators
from paymentprocess.bench.databases import is_sqlite_uri, throwaway_database
from paymentprocess.bench.machine import PeakRss, versions
from paymentprocess.bench.report import BenchReport
from paymentprocess.bench.run_measure import EVENT_ID, RunFigures, generate, timed_run
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.storage.database import create_engine_for

GOAL_CLAIMS = 1_000_000
GOAL_S = {"postgresql": 15.0, "sqlite": 15.0}
GOAL_RSS_MB = 2 * 1024
DEFAULT_OTHER_CAS = "OA:23"
Say = Callable[[str], None]


@dataclass
class OutputFigures:
    label: str
    wall_s: float
    peak_rss_mb: float
    start_rss_mb: float
    timings_ms: dict[str, int]
    counts: dict[str, int]
    size_mb: float


@dataclass
class ValidatorFigures:
    name: str
    files: int
    seconds: float
    failing: int
    of_total: int  # how many files of that kind the event has


@dataclass
class OutputsRun:
    claims: int
    service_lines: int
    generate_s: float
    runs: list[RunFigures] = field(default_factory=list)
    outputs: list[OutputFigures] = field(default_factory=list)
    validators: list[ValidatorFigures] = field(default_factory=list)


def bench_outputs(
    base_uri: str,
    claims: int,
    seed: int,
    sample: int,
    say: Say = print,
    *,
    x12: X12Settings | None = None,
) -> BenchReport:
    kind = "sqlite" if is_sqlite_uri(base_uri) else "postgresql"
    report = BenchReport("outputs")
    engine = create_engine_for(base_uri)
    try:
        report.versions = versions(engine)
    finally:
        engine.dispose()
    if x12 is None or x12.other_adjustment_cas is None:
        x12 = X12Settings(other_adjustment_cas=DEFAULT_OTHER_CAS)
    say(f"outputs: generating {claims:,} claims, Dry Run, Final Run, then the files ({kind})")
    out_dir = Path(tempfile.mkdtemp(prefix="pp-bench-outputs-"))
    try:
        with throwaway_database(base_uri, f"out{claims}") as uri:
            figures = _measure(uri, claims, seed, x12, out_dir, sample, say)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    report.data = {
        "database": kind,
        "claims": f"{claims:,}",
        "service lines": f"{figures.service_lines:,}",
        "seed": seed,
        "other adjustment CAS": x12.other_adjustment_cas,
    }
    _tables(report, figures)
    _goals(report, kind, figures)
    report.raw = {
        "runs": [vars(r) for r in figures.runs],
        "outputs": [vars(o) for o in figures.outputs],
        "validators": [vars(v) for v in figures.validators],
    }
    report.finish()
    return report


def _measure(
    uri: str, claims: int, seed: int, x12: X12Settings, out_dir: Path, sample: int, say: Say
) -> OutputsRun:
    from paymentprocess.outputs.issue import issue_outputs

    summary, gen_s = generate(uri, claims, seed)
    figures = OutputsRun(claims, int(summary["phenomena"].get("service_lines", 0)), gen_s)
    engine = create_engine_for(uri)
    try:
        for mode in ("dry-run", "final"):
            figures.runs.append(timed_run(engine, mode))
        for label in ("first issue", "regeneration"):
            say(f"outputs: {label}")
            gc.collect()
            with PeakRss() as peak:
                started = time.perf_counter()
                result = issue_outputs(engine, EVENT_ID, out_dir, x12=x12)
                wall = time.perf_counter() - started
            size = sum(len(f.content) for f in result.files) / 2**20
            figures.outputs.append(
                OutputFigures(
                    label, round(wall, 3), peak.mb, peak.start_mb, dict(result.timings_ms),
                    result.counts(), round(size, 1),
                )
            )  # fmt: skip
        figures.validators = _validators(out_dir / EVENT_ID, sample, say)
    finally:
        engine.dispose()
    return figures


def _validators(directory: Path, sample: int, say: Say) -> list[ValidatorFigures]:
    have = validators.available()
    x12_files = sorted(directory.glob("835/*.x12"))
    ach_files = sorted(directory.glob("ach/*.ach"))
    chosen = x12_files[:: max(1, len(x12_files) // sample)][:sample] if sample else []
    checks: list[tuple[str, Callable[[bytes], list[str]], list[Path], int]] = [
        ("pyx12", validators.pyx12_errors, chosen, len(x12_files)),
        ("oxedi", validators.oxedi_problems, chosen, len(x12_files)),
        ("achkit", validators.achkit_errors, ach_files, len(ach_files)),
    ]
    out = []
    for name, check, paths, total in checks:
        if not have[name] or not paths:
            continue
        say(f"outputs: {name} on {len(paths):,} files")
        started = time.perf_counter()
        failing = sum(1 for p in paths if check(p.read_bytes()))
        out.append(
            ValidatorFigures(name, len(paths), round(time.perf_counter() - started, 2), failing,
                             total)
        )  # fmt: skip
    return out


def _tables(report: BenchReport, f: OutputsRun) -> None:
    runs = report.table(
        f"Runs and outputs of {f.claims:,} claims (generation took {f.generate_s:.1f} s)",
        "step", "wall s", "peak RSS MB", "files", "MB written",
    )  # fmt: skip
    for run in f.runs:
        runs.add(f"{run.mode} run", run.wall_s, run.peak_rss_mb, None, None)
    for o in f.outputs:
        runs.add(f"outputs: {o.label}", o.wall_s, o.peak_rss_mb, sum(o.counts.values()), o.size_mb)
    steps = report.table("Outputs steps (ms)", "step", *(o.label for o in f.outputs))
    names = list(dict.fromkeys(n for o in f.outputs for n in o.timings_ms))
    for name in names:
        steps.add(name, *(o.timings_ms.get(name) for o in f.outputs))
    if f.outputs:
        kinds = report.table("Files", "kind", "count")
        for kind, count in f.outputs[0].counts.items():
            kinds.add(kind, count)
    if f.validators:
        table = report.table(
            "Independent validators (not part of the product's time)",
            "validator", "files checked", "of", "seconds", "ms/file", "files failing",
        )  # fmt: skip
        for v in f.validators:
            table.add(v.name, v.files, v.of_total, v.seconds,
                      round(v.seconds * 1000 / v.files, 1), v.failing)  # fmt: skip
    report.notes.append(
        "Wall time is issue_outputs in this process: reading the event's rows, building the "
        "remittances, rendering and checking every file with our own validators, recording the "
        "control rows, writing the file set (syncfs) and committing. Peak RSS is sampled every "
        "20 ms while it ran."
    )


def _goals(report: BenchReport, kind: str, f: OutputsRun) -> None:
    first = f.outputs[0] if f.outputs else None
    if f.claims != GOAL_CLAIMS or first is None:
        report.goal("outputs of the 1M-claim cycle", f"≤ {GOAL_S[kind]:.0f} s", "size not run",
                    None)  # fmt: skip
        return
    report.goal(
        f"outputs of the 1M-claim cycle ({kind})", f"≤ {GOAL_S[kind]:.0f} s",
        f"{first.wall_s:.1f} s", first.wall_s <= GOAL_S[kind],
    )  # fmt: skip
    report.goal(
        "peak RSS of those outputs", "≤ 2 GB", f"{first.peak_rss_mb / 1024:.2f} GB",
        first.peak_rss_mb <= GOAL_RSS_MB,
    )  # fmt: skip
