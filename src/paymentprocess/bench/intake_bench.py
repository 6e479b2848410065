"""`bench intake`: claim intake under concurrent load, against a FastAPI + SQLModel baseline.

In a throwaway database beside `--db-uri`, `paymentprocess serve --workers W` is started on a
loopback port and `bench.intake.run_intake_load` drives `POST /claims` from `--clients`
concurrent clients for `--seconds`: claims stored per second, latency p50/p95/p99/max and every
non-201 answer. The claims stored are counted in the database afterwards. Then the same load,
with the same seed, goes to the baseline app (`bench.baseline_sqlmodel`, same worker count, its
own `baseline_*` tables in the same throwaway database), and the throughput ratio is reported. The load generator runs in
this process, on the same cores as the servers and the database.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict

import uvloop
from sqlalchemy import func, select, text

from paymentprocess.bench.cpu import postgres_backend_cpu, process_tree_cpu
from paymentprocess.bench.databases import throwaway_database
from paymentprocess.bench.intake import IntakeResult, run_intake_load
from paymentprocess.bench.machine import versions
from paymentprocess.bench.relay_watch import RelayWatch, relay_alongside
from paymentprocess.bench.report import BenchReport
from paymentprocess.bench.server import HOST, RunningServer, product_server_argv, running_server
from paymentprocess.storage.database import create_engine_for
from paymentprocess.storage.tables import claim_fin_core

GOAL_RATIO, GOAL_P99_MS, GOAL_CLIENTS = 5.0, 50.0, 16
PROVIDERS = 500
BASELINE = "FastAPI + SQLModel baseline"
OPEN_WRITES = {"PAYMENT_API_KEYS": "", "PAYMENT_LOG_LEVEL": "WARNING"}


def baseline_argv(db_uri: str, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "paymentprocess.bench.baseline_server", "--db-uri", db_uri,
        "--host", HOST, "--port", "{port}", "--workers", str(workers),
    ]  # fmt: skip


def _stored(db_uri: str, sql: str | None = None) -> int:
    engine = create_engine_for(db_uri)
    try:
        with engine.connect() as conn:
            if sql is not None:
                return int(conn.execute(text(sql)).scalar_one())
            return int(conn.execute(select(func.count()).select_from(claim_fin_core)).scalar_one())
    finally:
        engine.dispose()


def _load(
    server: RunningServer, db_uri: str, clients: int, seconds: float
) -> tuple[IntakeResult, dict[str, float]]:
    """The load's result and the CPU seconds its server, database backends and client used."""
    before = (process_tree_cpu(server.pid), postgres_backend_cpu(db_uri))
    result = uvloop.run(
        run_intake_load(
            server.url, concurrency=clients, duration_s=seconds, providers=PROVIDERS, seed=7
        )
    )
    after = (process_tree_cpu(server.pid), postgres_backend_cpu(db_uri))
    return result, {
        "server": after[0] - before[0],
        "postgres": after[1] - before[1],
        "client": result.client_cpu_s,
    }


def bench_intake(
    db_uri: str,
    *,
    clients: int,
    seconds: float,
    workers: int,
    baseline: bool,
    with_relay: bool = False,
    say: Callable[[str], None] = print,
) -> BenchReport:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no log line per health check
    report = BenchReport("intake")
    engine = create_engine_for(db_uri)
    try:
        report.versions = versions(engine)
    finally:
        engine.dispose()
    report.versions["sqlmodel"] = _sqlmodel_version()
    results: dict[str, IntakeResult] = {}
    stored: dict[str, int] = {}
    cpu: dict[str, dict[str, float]] = {}
    say(f"intake: paymentprocess serve --workers {workers}, {clients} clients × {seconds:g} s")
    with throwaway_database(db_uri, "intake") as uri:
        with (
            running_server(product_server_argv(uri, workers), env=OPEN_WRITES) as server,
            relay_alongside(uri) if with_relay else nullcontext() as watch,
        ):
            results["paymentprocess"], cpu["paymentprocess"] = _load(server, uri, clients, seconds)
        stored["paymentprocess"] = _stored(uri)
        if baseline and _sqlmodel_version() != "-":
            say(f"intake: FastAPI + SQLModel baseline, {workers} workers, same load")
            with running_server(baseline_argv(uri, workers)) as server:
                results[BASELINE], cpu[BASELINE] = _load(server, uri, clients, seconds)
            stored[BASELINE] = _stored(uri, "SELECT count(*) FROM baseline_claim")
        elif baseline:
            report.notes.append("sqlmodel is not installed (a dev dependency): no baseline ran.")
    report.data = {"clients": clients, "seconds per load": seconds, "server workers": workers,
                   "lines per claim": "1–4", "provider NPIs": PROVIDERS}  # fmt: skip
    table = report.table(
        "POST /claims under load", "server", "requests", "stored (201)", "in the database",
        "claims/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
    )  # fmt: skip
    for name, r in results.items():
        errors = r.requests - r.created
        table.add(name, r.requests, r.created, stored[name], r.claims_per_s, r.p50_ms, r.p95_ms,
                  r.p99_ms, r.max_ms, errors)  # fmt: skip
        if errors:
            report.notes.append(f"{name}: answers other than 201: {r.statuses}")
    usage = report.table(
        "CPU used during the load (s; ms per stored claim)", "server", "server processes",
        "PostgreSQL backends", "load client", "share of all cores",
    )  # fmt: skip
    cores = os.cpu_count() or 1
    for name, used in cpu.items():
        r = results[name]
        per = [f"{used[k]:.1f} s ({1000 * used[k] / max(r.created, 1):.2f} ms)" for k in used]
        share = sum(used.values()) / (cores * r.duration_s)
        usage.add(name, *per, f"{100 * share:.0f} %")
    report.raw = {name: asdict(r) | {"cpu_s": cpu.get(name)} for name, r in results.items()}
    if watch is not None:
        _relay_table(report, watch, results["paymentprocess"])
    _goals(report, results, clients)
    report.notes.append(
        "Both servers ran with the same worker count, uvicorn with httptools and uvloop, on "
        "127.0.0.1; the same load generator (bench.intake: a lean asyncio HTTP/1.1 client on "
        "uvloop, one keep-alive connection per client, requests prepared ahead) drove both, in "
        "the benchmark process on the same cores as the servers and the database, so these are "
        "lower bounds for a dedicated server."
    )
    report.finish()
    return report


def _sqlmodel_version() -> str:
    if importlib.util.find_spec("sqlmodel") is None:
        return "-"
    from importlib.metadata import version

    return version("sqlmodel")


def _goals(report: BenchReport, results: dict[str, IntakeResult], clients: int) -> None:
    ours = results["paymentprocess"]
    judged = clients == GOAL_CLIENTS
    base = results.get(BASELINE)
    if base is not None and base.claims_per_s > 0:
        ratio = ours.claims_per_s / base.claims_per_s
        report.goal(
            "intake throughput ÷ FastAPI + SQLModel baseline", f"≥ {GOAL_RATIO:.0f}×",
            f"{ratio:.2f}× ({ours.claims_per_s:,.0f} vs {base.claims_per_s:,.0f} claims/s)",
            ratio >= GOAL_RATIO,
        )  # fmt: skip
    else:
        report.goal("intake throughput ÷ baseline", f"≥ {GOAL_RATIO:.0f}×", "no baseline", None)
    report.goal(
        f"intake p99 at {GOAL_CLIENTS} clients", f"≤ {GOAL_P99_MS:.0f} ms",
        f"{ours.p99_ms:.1f} ms at {clients} clients",
        (ours.p99_ms <= GOAL_P99_MS) if judged else None,
    )  # fmt: skip


def _relay_table(report: BenchReport, watch: RelayWatch, load: IntakeResult) -> None:
    """The relay beside the product's load: did it keep up, and how far behind was it."""
    table = report.table(
        "relay beside the intake load (paymentprocess relay, publisher confirms)",
        "events published", "intake claims/s", "relay events/s", "max unsent", "max lag s",
        "drain after the load s", "relay CPU s",
    )  # fmt: skip
    rate = watch.published / max(watch.seconds, 1e-9)
    table.add(watch.published, load.claims_per_s, round(rate, 1), watch.max_unsent,
              round(watch.max_lag_s, 2), round(watch.drain_s, 2), round(watch.cpu_s, 1))  # fmt: skip
    report.raw["relay"] = asdict(watch) | {"max_unsent": watch.max_unsent}
