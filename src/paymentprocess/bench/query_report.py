"""The report of `bench query`: tables of latencies, the top tier's plans, the goals.

`add_explain` runs EXPLAIN on the top tier's COUNT and first-page statements (both filters) and
adds their figures and plan texts; `add_tables` the providers picked, the HTTP latencies and the
in-process timings; `add_goals` judges the issue's goals (count ≤ 100 ms at the 1M tier, page
p95 ≤ 10 ms at every tier) when the top tier holds at least 1,000,000 claims.
"""

from __future__ import annotations

from sqlalchemy import Engine

from paymentprocess.bench.query_plans import count_statement, explain, page_statement
from paymentprocess.bench.query_tiers import SCENARIOS, TierProvider, tier_filter
from paymentprocess.bench.report import BenchReport
from paymentprocess.storage.database import is_sqlite

GOAL_COUNT_MS, GOAL_PAGE_MS, GOAL_TOP_CLAIMS = 100.0, 10.0, 1_000_000
Stats = dict[str, float]


def add_explain(report: BenchReport, engine: Engine, top: TierProvider, limit: int) -> None:
    table = report.table(
        f"EXPLAIN of the {top.tier} tier's statements ({top.claims:,} claims)",
        "statement", "execution ms", "planning ms", "rows examined", "buffers hit", "buffers read",
    )  # fmt: skip
    with engine.connect() as conn:
        for label, window in SCENARIOS:
            flt = tier_filter(top, window)
            for kind, statement in (
                ("count", count_statement(conn, flt)),
                ("first page", page_statement(conn, flt, limit)),
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


def add_tables(
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
        "In process, no HTTP: the service's statements and its list_claims (ms)",
        "tier", "dates", "statement", "min", "avg", "p95", "max",
    )  # fmt: skip
    for (tier, label), kinds2 in sql.items():
        for kind, s in kinds2.items():
            direct.add(tier, label, kind, s["min"], s["avg"], s["p95"], s["max"])
    report.raw["http"] = {f"{t} | {d}": v for (t, d), v in http.items()}
    report.raw["sql"] = {f"{t} | {d}": v for (t, d), v in sql.items()}
    report.notes.append(
        "Requests are sequential over one keep-alive connection to `paymentprocess serve` on "
        "127.0.0.1 (client, server and database share the machine's cores). Every answer "
        "carries the exact total; a page is one statement (its claims, their lines, the total "
        "and the other-side EXISTS), after one more for the provider's span bounds when a date "
        "range is given. 'count' is that total's statement alone (`listing_sql.total_statement`)."
    )


def add_goals(
    report: BenchReport,
    tiers: list[TierProvider],
    http: dict[tuple[str, str], dict[str, dict[str, float] | None]],
) -> None:
    """Count p95 at the top tier and page p95 at every tier, for each date filter."""
    top = tiers[0]
    at_scale = top.claims >= GOAL_TOP_CLAIMS
    for label, _ in SCENARIOS:
        count = http[(top.tier, label)]["count (limit=1)"]
        if count is not None:
            report.goal(
                f"count p95 at the {top.tier} tier ({top.claims:,} claims), {label}",
                f"≤ {GOAL_COUNT_MS:.0f} ms", f"{count['p95']:.1f} ms",
                (count["p95"] <= GOAL_COUNT_MS) if at_scale else None,
            )  # fmt: skip
    for p in tiers:
        for label, _ in SCENARIOS:
            pages = {
                kind: s
                for kind, s in http[(p.tier, label)].items()
                if s is not None and kind != "count (limit=1)"
            }
            kind, worst = max(pages.items(), key=lambda item: item[1]["p95"])
            report.goal(
                f"page p95 at the {p.tier} tier ({p.claims:,} claims), {label}",
                f"≤ {GOAL_PAGE_MS:.0f} ms", f"{worst['p95']:.1f} ms ({kind})",
                (worst["p95"] <= GOAL_PAGE_MS) if at_scale else None,
            )  # fmt: skip
    if not at_scale:
        report.notes.append(
            "The top tier holds fewer than 1,000,000 claims: goals are shown but not judged."
        )
