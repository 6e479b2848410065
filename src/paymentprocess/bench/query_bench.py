"""`bench query`: claim query latency per provider tier, through a real HTTP server.

On a database holding the query set (`generate query-set`), one billing provider per volume tier
is picked from `provider_aggregate` (the largest of each order of magnitude, top four tiers).
`paymentprocess serve` is started on a loopback port; for each tier, without and with a service
date range, the client times `--repeat` sequential requests of each kind: the count (`limit=1`;
the API returns the exact `total` with every page), the first page, the next page (its
`next_cursor`) and the previous page (the next page's `prev_cursor`) — min / avg / p95. The
service's own COUNT and first-page statements are also timed directly on the database (no HTTP),
and for the top tier EXPLAIN (ANALYZE, BUFFERS) shows their plans on PostgreSQL.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.sql import Select

from paymentprocess.bench.machine import versions
from paymentprocess.bench.query_plans import count_statement, explain, page_statement
from paymentprocess.bench.report import BenchReport
from paymentprocess.bench.server import product_server_argv, running_server
from paymentprocess.errors import SettingsError
from paymentprocess.service.claims_query import ClaimFilter
from paymentprocess.storage.database import create_engine_for, is_sqlite
from paymentprocess.storage.tables import claim_fin_core, provider_aggregate

TIER_NAMES = ("1M", "100K", "10K", "1K")
RANGE = (date(2015, 1, 1), date(2015, 12, 31))
SCENARIOS: tuple[tuple[str, tuple[date, date] | None], ...] = (
    ("all dates", None),
    (f"{RANGE[0]}..{RANGE[1]}", RANGE),
)
KINDS = ("count (limit=1)", "first page", "next page", "previous page")
GOAL_COUNT_MS, GOAL_PAGE_MS, GOAL_TOP_CLAIMS = 100.0, 10.0, 1_000_000


@dataclass(frozen=True)
class TierProvider:
    tier: str
    tax_id: str | None
    npi: str
    claims: int


def stats_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, math.ceil(0.95 * len(ordered)) - 1))]
    return {
        "min": round(ordered[0], 2),
        "avg": round(statistics.fmean(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
    }


def discover_tiers(engine: Engine) -> list[TierProvider]:
    """The largest provider of each of the top four orders of magnitude of claim count."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(provider_aggregate.c.provider_npi, provider_aggregate.c.claim_count).order_by(
                provider_aggregate.c.claim_count.desc(), provider_aggregate.c.provider_npi
            )
        ).all()
        picked: dict[int, tuple[str, int]] = {}
        for npi, count in rows:
            if count > 0:
                picked.setdefault(round(math.log10(count)), (npi, int(count)))
        out = []
        for rank, (npi, count) in enumerate(list(picked.values())[: len(TIER_NAMES)]):
            tin = conn.execute(
                select(claim_fin_core.c.tax_id)
                .where(claim_fin_core.c.npi == npi, claim_fin_core.c.tax_id.is_not(None))
                .limit(1)
            ).scalar_one_or_none()
            out.append(TierProvider(TIER_NAMES[rank], tin, npi, count))
    if not out:
        raise SettingsError("no providers in this database: run `generate query-set` first")
    return out


def _filter(p: TierProvider, window: tuple[date, date] | None) -> ClaimFilter:
    start, end = window if window else (None, None)
    if p.tax_id is not None:
        return ClaimFilter(provider_tin=p.tax_id, service_date_start=start, service_date_end=end)
    return ClaimFilter(provider_npi=p.npi, service_date_start=start, service_date_end=end)


def _params(flt: ClaimFilter, limit: int) -> dict[str, Any]:
    out: dict[str, Any] = {"limit": limit}
    for name in ("provider_tin", "provider_npi", "service_date_start", "service_date_end"):
        value = getattr(flt, name)
        if value is not None:
            out[name] = str(value)
    return out


def _time(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    samples, last = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        last = call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, last


def _get(client: httpx.Client, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get("/claims", params=params)
    if response.status_code != 200:
        raise SettingsError(f"GET /claims answered {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def _http_kinds(
    client: httpx.Client, flt: ClaimFilter, limit: int, repeat: int
) -> tuple[dict[str, dict[str, float] | None], int]:
    params = _params(flt, limit)
    for _ in range(2):  # warm the connection, the worker and the database cache
        _get(client, params)
    out: dict[str, dict[str, float] | None] = dict.fromkeys(KINDS)
    samples, body = _time(lambda: _get(client, {**params, "limit": 1}), repeat)
    out["count (limit=1)"] = stats_ms(samples)
    samples, first = _time(lambda: _get(client, params), repeat)
    out["first page"] = stats_ms(samples)
    if first["next_cursor"]:
        cursor = {**params, "cursor": first["next_cursor"]}
        samples, page = _time(lambda: _get(client, cursor), repeat)
        out["next page"] = stats_ms(samples)
        if page["prev_cursor"]:
            back = {**params, "cursor": page["prev_cursor"]}
            samples, _ = _time(lambda: _get(client, back), repeat)
            out["previous page"] = stats_ms(samples)
    return out, int(body["total"])


def bench_query(
    db_uri: str, *, repeat: int, limit: int, workers: int, say: Callable[[str], None] = print
) -> BenchReport:
    report = BenchReport("query")
    engine = create_engine_for(db_uri)
    try:
        report.versions = versions(engine)
        tiers = discover_tiers(engine)
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(claim_fin_core)).scalar_one()
        report.data = {"claims in the database": int(total), "page size": limit,
                       "repetitions": repeat, "server workers": workers}  # fmt: skip
        http: dict[tuple[str, str], dict[str, dict[str, float] | None]] = {}
        sql: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
        totals: dict[tuple[str, str], int] = {}
        say(f"query: starting the server; tiers {[(t.tier, t.claims) for t in tiers]}")
        with running_server(product_server_argv(db_uri, workers)) as url, httpx.Client(
            base_url=url, timeout=60.0
        ) as client:  # fmt: skip
            for p in tiers:
                for label, window in SCENARIOS:
                    say(f"query: {p.tier} tier ({p.claims:,} claims), {label}")
                    flt = _filter(p, window)
                    http[(p.tier, label)], totals[(p.tier, label)] = _http_kinds(
                        client, flt, limit, repeat
                    )
                    sql[(p.tier, label)] = _sql_kinds(engine, flt, limit, repeat)
        _explain(report, engine, tiers[0], limit)
    finally:
        engine.dispose()
    _tables(report, tiers, http, sql, totals)
    _goals(report, tiers, http)
    report.finish()
    return report


def _sql_kinds(
    engine: Engine, flt: ClaimFilter, limit: int, repeat: int
) -> dict[str, dict[str, float]]:
    out = {}
    with engine.connect() as conn:
        for kind, statement in (
            ("count", count_statement(flt)),
            ("first page", page_statement(flt, limit)),
        ):
            conn.execute(statement).all()
            samples, _ = _time(partial(_fetch_all, conn, statement), repeat)
            out[kind] = stats_ms(samples)
    return out


def _fetch_all(conn: Connection, statement: Select[Any]) -> list[Any]:
    return list(conn.execute(statement).all())


def _explain(report: BenchReport, engine: Engine, top: TierProvider, limit: int) -> None:
    table = report.table(
        f"EXPLAIN of the {top.tier} tier's statements ({top.claims:,} claims)",
        "statement", "execution ms", "planning ms", "rows examined", "buffers hit", "buffers read",
    )  # fmt: skip
    with engine.connect() as conn:
        for label, window in SCENARIOS:
            flt = _filter(top, window)
            for kind, statement in (
                ("count", count_statement(flt)),
                ("first page", page_statement(flt, limit)),
            ):
                plan = explain(conn, statement)
                name = f"{kind}, {label}"
                table.add(
                    name, plan.get("execution_ms"), plan.get("planning_ms"),
                    plan.get("rows_examined"), plan.get("shared_hit"), plan.get("shared_read"),
                )  # fmt: skip
                report.texts[f"Plan: {top.tier} tier, {name}"] = plan["plan"]
                report.raw.setdefault("explain", {})[name] = plan.get("json", plan["plan"])
    kind = "EXPLAIN QUERY PLAN (SQLite has no timings or buffers)" if is_sqlite(engine) else (
        "EXPLAIN (ANALYZE, BUFFERS), run after the timed requests (a warm cache)"
    )  # fmt: skip
    report.notes.append(f"Plans: {kind}.")


def _tables(
    report: BenchReport,
    tiers: list[TierProvider],
    http: dict[tuple[str, str], dict[str, dict[str, float] | None]],
    sql: dict[tuple[str, str], dict[str, dict[str, float]]],
    totals: dict[tuple[str, str], int],
) -> None:
    providers = report.table("Providers picked", "tier", "claims", "TIN", "NPI")
    for p in tiers:
        providers.add(p.tier, p.claims, p.tax_id, p.npi)
    table = report.table(
        "HTTP GET /claims latency (ms; each answer includes the exact total)",
        "tier", "dates", "total", "request", "min", "avg", "p95", "max",
    )  # fmt: skip
    for (tier, label), kinds in http.items():
        for kind, s in kinds.items():
            row = [s["min"], s["avg"], s["p95"], s["max"]] if s else [None] * 4
            table.add(tier, label, totals[(tier, label)], kind, *row)
    direct = report.table(
        "The service's statements on the database, no HTTP (ms)",
        "tier", "dates", "statement", "min", "avg", "p95", "max",
    )  # fmt: skip
    for (tier, label), kinds2 in sql.items():
        for kind, s in kinds2.items():
            direct.add(tier, label, kind, s["min"], s["avg"], s["p95"], s["max"])
    report.raw["http"] = {f"{t} | {d}": v for (t, d), v in http.items()}
    report.raw["sql"] = {f"{t} | {d}": v for (t, d), v in sql.items()}
    report.notes.append(
        "Requests are sequential over one keep-alive connection to `paymentprocess serve` on "
        "127.0.0.1 (client, server and database share the machine's cores). Every page answer "
        "runs the COUNT as well as the page, its lines and a cursor check."
    )


def _goals(
    report: BenchReport,
    tiers: list[TierProvider],
    http: dict[tuple[str, str], dict[str, dict[str, float] | None]],
) -> None:
    top = tiers[0]
    at_scale = top.claims >= GOAL_TOP_CLAIMS
    counts = [http[(top.tier, label)]["count (limit=1)"] for label, _ in SCENARIOS]
    worst = max(s["p95"] for s in counts if s)
    report.goal(
        f"count at the top tier ({top.claims:,} claims), p95 over both date filters",
        f"≤ {GOAL_COUNT_MS:.0f} ms", f"{worst:.1f} ms",
        (worst <= GOAL_COUNT_MS) if at_scale else None,
    )  # fmt: skip
    for p in tiers:
        pages = [
            s
            for label, _ in SCENARIOS
            for kind, s in http[(p.tier, label)].items()
            if s and kind != "count (limit=1)"
        ]
        worst = max(s["p95"] for s in pages)
        report.goal(
            f"page p95 at the {p.tier} tier ({p.claims:,} claims; first/next/previous)",
            f"≤ {GOAL_PAGE_MS:.0f} ms", f"{worst:.1f} ms",
            (worst <= GOAL_PAGE_MS) if at_scale else None,
        )  # fmt: skip
    if not at_scale:
        report.notes.append(
            "The top tier holds fewer than 1,000,000 claims: goals are shown but not judged."
        )
