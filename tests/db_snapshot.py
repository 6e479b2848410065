"""Snapshots of table contents, to prove a run changed nothing (or only what it may)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.storage import tables as t

WORKING = {
    "claim_ws_core",
    "claim_ws_result",
    "payment_center_ws",
    "payment_event_ws",
    "payment_event_ws_payee",
    "over_and_under_payment_stg",
    "payment_event_stats",
    "audit_log",  # a record of who ran what, like payment_event_stats; append-only
    "schema_version",
}
PRODUCTION = tuple(
    tbl
    for tbl in t.metadata.sorted_tables
    if tbl.name not in WORKING and not tbl.name.startswith("backup")
)


def snapshot(
    engine: Engine, tables: tuple[t.Table, ...] = PRODUCTION
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, as plain tuples."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return snapshot(engine, tuple(t.metadata.sorted_tables))
