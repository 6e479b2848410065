"""The claim query service's own statements, for timing them directly and for EXPLAIN.

`count_statement` and `page_statement` are built from the service's pieces
(`service.claims_query.ClaimFilter.conditions`, `service.claims_store.claim_header_columns`) the
way `list_claims` builds them: an exact COUNT of the filter, and the first keyset page ordered by
(service begin date, claim id) with `LIMIT n+1`. `explain(conn, statement)` runs `EXPLAIN
(ANALYZE, BUFFERS, FORMAT JSON)` on PostgreSQL and returns the execution and planning time,
the rows the scans examined, the shared buffers hit and read and a compact plan text; SQLite
answers with `EXPLAIN QUERY PLAN` (no timings or buffers there).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.sql import Select

from paymentprocess.service.claims_query import ClaimFilter
from paymentprocess.service.claims_store import claim_header_columns
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.tables import claim_fin_core


def count_statement(flt: ClaimFilter) -> Select[Any]:
    return select(func.count()).select_from(claim_fin_core).where(*flt.conditions())


def page_statement(flt: ClaimFilter, limit: int) -> Select[Any]:
    c = claim_fin_core.c
    return (
        select(*claim_header_columns())
        .where(*flt.conditions())
        .order_by(c.service_begin_date, c.claim_core_id)
        .limit(limit + 1)
    )


def explain(conn: Connection, statement: Select[Any]) -> dict[str, Any]:
    compiled = statement.compile(dialect=conn.dialect)
    if is_sqlite(conn):
        raw = conn.connection.driver_connection
        assert raw is not None
        params = compiled.construct_params()
        positional = [params[name] for name in compiled.positiontup or []]
        rows = raw.execute(f"EXPLAIN QUERY PLAN {compiled}", positional).fetchall()
        return {"plan": "\n".join(str(r[-1]) for r in rows)}
    result = conn.exec_driver_sql(
        f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {compiled}", compiled.params
    ).scalar_one()
    doc = (json.loads(result) if isinstance(result, str) else result)[0]
    root = doc["Plan"]
    examined = 0
    for node in _nodes(root):
        if "Scan" in node["Node Type"]:
            per_loop = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            examined += per_loop * node.get("Actual Loops", 1)
    return {
        "execution_ms": round(doc["Execution Time"], 2),
        "planning_ms": round(doc["Planning Time"], 2),
        "rows_examined": examined,
        "shared_hit": root.get("Shared Hit Blocks", 0),
        "shared_read": root.get("Shared Read Blocks", 0),
        "plan": "\n".join(_plan_lines(root, 0)),
        "json": doc,
    }


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []):
        out += _nodes(child)
    return out


def _plan_lines(node: dict[str, Any], depth: int) -> list[str]:
    what = node["Node Type"]
    if "Index Name" in node:
        what += f" using {node['Index Name']}"
    if "Relation Name" in node:
        what += f" on {node['Relation Name']}"
    facts = [
        f"rows={node.get('Actual Rows')}",
        f"loops={node.get('Actual Loops')}",
        f"time={node.get('Actual Total Time')} ms",
    ]
    for key, label in (
        ("Rows Removed by Filter", "removed by filter"),
        ("Heap Fetches", "heap fetches"),
        ("Shared Hit Blocks", "buffers hit"),
        ("Shared Read Blocks", "read"),
    ):
        if node.get(key):
            facts.append(f"{label}={node[key]}")
    for key in ("Index Cond", "Filter"):
        if key in node:
            facts.append(f"{key.lower()}: {node[key]}")
    lines = ["  " * depth + f"-> {what} ({', '.join(facts)})"]
    for child in node.get("Plans", []):
        lines += _plan_lines(child, depth + 1)
    return lines
