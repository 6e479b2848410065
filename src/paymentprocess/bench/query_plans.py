"""The claim query service's own statements, for timing them directly and for EXPLAIN.

`count_statement` and `page_statement` are the statements `list_claims` runs
(`service.claims.listing_sql.total_statement` / `page_statement`, with the range's lower bound
read the same way): the exact total, and the first keyset page ordered by (service begin date,
claim id) with `LIMIT n+1`, which carries the total in the same statement. `explain(conn,
statement)` runs `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` on PostgreSQL and returns the
execution and planning time, the rows the scans examined, the shared buffers hit and read and a
compact plan text; SQLite answers with `EXPLAIN QUERY PLAN` (no timings or buffers there).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Select

from paymentprocess.service.claims.listing_filter import (
    ClaimFilter,
    parameters,
    shape,
    span_bounds,
)
from paymentprocess.service.claims.listing_sql import page_statement as page_statement_of
from paymentprocess.service.claims.listing_sql import total_statement
from paymentprocess.storage.database import is_sqlite

Statement = tuple[Select[Any], dict[str, Any]]


def count_statement(conn: Connection, flt: ClaimFilter) -> Statement:
    """The service's total: the maintained count (no range) or the day sums and edge COUNTs."""
    bounds = span_bounds(conn, flt)
    return total_statement(*shape(flt, bounds)), parameters(flt, bounds)


def page_statement(conn: Connection, flt: ClaimFilter, limit: int) -> Statement:
    """The service's first-page statement (rows, total and the other-side EXISTS in one)."""
    bounds = span_bounds(conn, flt)
    return page_statement_of(*shape(flt, bounds), None), parameters(flt, bounds, None, limit)


def explain(conn: Connection, statement: Statement) -> dict[str, Any]:
    # the expanded state renders the page size, which is written into the SQL (literal_execute)
    state = statement[0].compile(dialect=conn.dialect).construct_expanded_state(statement[1])
    if is_sqlite(conn):
        raw = conn.connection.driver_connection
        assert raw is not None
        positional = list(state.positional_parameters)
        rows = raw.execute(f"EXPLAIN QUERY PLAN {state.statement}", positional).fetchall()
        return {"plan": "\n".join(str(r[-1]) for r in rows)}
    result = conn.exec_driver_sql(
        f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {state.statement}", state.parameters
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
