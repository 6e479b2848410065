"""`bench query`: claim query latency per provider tier, through a real HTTP server.

On a database holding the query set (`generate query-set`), one billing provider per volume tier
is picked from `provider_aggregate` (the largest of each order of magnitude, top four tiers).
`paymentprocess serve` is started on a loopback port; for each tier, without and with a service
date range, the client times `--repeat` sequential requests of each kind: the count (`limit=1`;
the API returns the exact `total` with every page), the first page, the next page (its
`next_cursor`) and the previous page (the next page's `prev_cursor`) — min / avg / p95. The
service's own COUNT and first-page statements are also timed directly on the database, and its
`list_claims` in this process (no HTTP), which splits a request's time; for the top tier,
EXPLAIN (ANALYZE, BUFFERS) shows the statements' plans on PostgreSQL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, func, select

from paymentprocess.bench.machine import versions
from paymentprocess.bench.query_plans import Statement, count_statement, page_statement
from paymentprocess.bench.query_report import add_explain, add_goals, add_tables
from paymentprocess.bench.query_tiers import SCENARIOS, discover_tiers, stats_ms, tier_filter
from paymentprocess.bench.report import BenchReport
from paymentprocess.bench.server import product_server_argv, running_server
from paymentprocess.errors import SettingsError
from paymentprocess.service.claims.listing import list_claims
from paymentprocess.service.claims.listing_filter import ClaimFilter
from paymentprocess.storage.database import create_engine_for
from paymentprocess.storage.tables import claim_fin_core

KINDS = ("count (limit=1)", "first page", "next page", "previous page")


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
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no log line per request
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
        with running_server(product_server_argv(db_uri, workers)) as server, httpx.Client(
            base_url=server.url, timeout=60.0
        ) as client:  # fmt: skip
            for p in tiers:
                for label, window in SCENARIOS:
                    say(f"query: {p.tier} tier ({p.claims:,} claims), {label}")
                    flt = tier_filter(p, window)
                    http[(p.tier, label)], totals[(p.tier, label)] = _http_kinds(
                        client, flt, limit, repeat
                    )
                    sql[(p.tier, label)] = _sql_kinds(engine, flt, limit, repeat)
        add_explain(report, engine, tiers[0], limit)
    finally:
        engine.dispose()
    add_tables(report, tiers, http, sql, totals)
    add_goals(report, tiers, http)
    report.finish()
    return report


def _sql_kinds(
    engine: Engine, flt: ClaimFilter, limit: int, repeat: int
) -> dict[str, dict[str, float]]:
    out = {}
    with engine.connect() as conn:
        for kind, statement in (
            ("count", count_statement(conn, flt)),
            ("first page", page_statement(conn, flt, limit)),
        ):
            conn.execute(*statement).all()
            samples, _ = _time(partial(_fetch_all, conn, statement), repeat)
            out[kind] = stats_ms(samples)
    call = partial(list_claims, engine, flt, limit=limit)
    call()
    samples, _ = _time(call, repeat)
    out["list_claims (whole first page)"] = stats_ms(samples)
    return out


def _fetch_all(conn: Connection, statement: Statement) -> list[Any]:
    return list(conn.execute(*statement).all())
