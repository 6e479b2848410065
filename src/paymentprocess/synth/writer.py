"""Write a generated cycle: refuse a database that already holds it, then one transaction.

The generator numbers payees, claims, ledger records and checks from 1, so it writes only into a
database whose generated tables are empty; an existing payment event of the same id is refused
with its own message. Every table is appended with `write_frame` (COPY on PostgreSQL, one prepared
statement on SQLite) in chunks, reporting progress after each chunk, inside one unit of work that
commits at the end — an interrupted generation leaves nothing behind. A large table's secondary
indexes (PostgreSQL: its primary key and unique constraints too) are dropped before its rows go in
and created again from the same table definitions afterwards, inside the same transaction
(`storage.bulk_keys`: a bulk load builds an index faster than it maintains one row by row); the schema after a generation is exactly the one `ensure_schema` creates.
The claim count triggers are off for the transaction (`storage.bulk_counts`): the claim list's
counts are written once from the claim frame instead, COPYed straight into the empty count tables
(PostgreSQL holds claim_fin_core against other writers from the start: `generate` is the only
writer of an empty database).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

import polars as pl
from sqlalchemy import Connection, Engine, select

from paymentprocess.storage.bulk_counts import add_claim_counts, bulk_counts
from paymentprocess.storage.bulk_keys import keys_built_after
from paymentprocess.storage.database import analyze, is_sqlite, tables_with_rows, unit_of_work
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import metadata, payment_event
from paymentprocess.synth.plan import CyclePlan, GenerationRefusedError

ProgressFn = Callable[[str, int, int], None]
"""Called as (description, completed units, total units)."""

TABLE_ORDER = (
    "business", "interest_config", "payer", "funding_source", "inclusion_criteria", "benefit_plan",
    "service_code", "process_code_ex", "payment_event", "payment_center", "claim_fin_core",
    "service_line", "over_and_under_payment", "refund", "payment_register", "sequence_numbers",
)  # fmt: skip
CHUNK_ROWS = 250_000
INDEX_REBUILD_ROWS = 1_000  # tables at least this large get their indexes built after the load


def _quiet(_description: str, _done: int, _total: int) -> None:
    return None


def refuse_existing(conn: Connection, plan: CyclePlan) -> None:
    """Raise if the event exists or a table the generator fills already holds rows."""
    found = conn.execute(
        select(payment_event.c.payment_event_id).where(
            payment_event.c.payment_event_id == plan.event_id
        )
    ).first()
    if found is not None:
        raise GenerationRefusedError(
            f"payment event {plan.event_id!r} already exists in this database; "
            "choose another --event-id or an empty database"
        )
    busy = tables_with_rows(conn, TABLE_ORDER)
    if busy:
        raise GenerationRefusedError(
            "generate writes a complete cycle into an empty database, but these tables already "
            f"hold rows: {', '.join(busy)}; use a new database (--db-uri)"
        )


def write_cycle(
    engine: Engine, plan: CyclePlan, tables: dict[str, pl.DataFrame], progress: ProgressFn | None
) -> dict[str, int]:
    """Write every table in one transaction; returns rows written per table."""
    report = progress or _quiet
    total = sum(tables[name].height for name in TABLE_ORDER)
    rows: dict[str, int] = {}
    with unit_of_work(engine) as uow:
        conn = uow.conn
        _write_tables(conn, plan, tables, rows, report, total)
        report("committing", total, total)
        uow.commit()
    return rows


def _write_tables(
    conn: Connection,
    plan: CyclePlan,
    tables: dict[str, pl.DataFrame],
    rows: dict[str, int],
    report: ProgressFn,
    total: int,
) -> None:
    done = 0
    with bulk_counts(conn):
        if not is_sqlite(conn):
            conn.exec_driver_sql("LOCK TABLE claim_fin_core IN SHARE ROW EXCLUSIVE MODE")
        refuse_existing(conn, plan)
        if not is_sqlite(conn):
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for name in TABLE_ORDER:
            frame, table = tables[name], metadata.tables[name]
            rows[name] = frame.height
            rebuild = frame.height >= INDEX_REBUILD_ROWS
            with keys_built_after(conn, table) if rebuild else nullcontext():
                for chunk in frame.iter_slices(CHUNK_ROWS):
                    write_frame(conn, table, chunk)
                    done += chunk.height
                    report(f"writing {name}", done, total)
                if rebuild:
                    report(f"indexing {name}", done, total)
            if name == "claim_fin_core":
                report("counting claims", done, total)
                add_claim_counts(conn, frame, fresh=True)
        analyze(conn, [name for name, frame in tables.items() if frame.height])
