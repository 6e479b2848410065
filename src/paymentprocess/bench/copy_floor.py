"""What the database alone takes to move a run's data (issue 16): `COPY (SELECT …) TO STDOUT` of
the Final Run's inputs (the queries of its `load` stage) and `COPY … FROM STDIN` of its claim
result rows into a table like `claim_result`. The run's own time over their sum says how close
the run is to the database's floor. PostgreSQL only; each COPY runs alone, one after the other,
on one connection, drained by `storage.frames_read.copy_out` as the run's reads are (the run
reads on three side by side: the floor is not flattering it).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine

from paymentprocess.engine.config import load_config
from paymentprocess.engine.load import input_queries
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_read import copy_out


def _raw(conn: Any) -> Any:
    return conn.connection.driver_connection


def read_floor(engine: Engine, event_id: str) -> float | None:
    """Seconds to COPY out every input of the event's Final Run (before it runs)."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            return None
        cfg = load_config(conn, event_id, "final")
        queries = input_queries(cfg)
        raw = _raw(conn)
        started = time.perf_counter()
        for query in queries:  # drained as the run's own reads drain theirs
            compiled = query.compile(dialect=conn.dialect)
            copy_out(raw, f"COPY ({compiled}) TO STDOUT", compiled.params)
        seconds = time.perf_counter() - started
        conn.rollback()
    return round(seconds, 3)


def write_floor(engine: Engine, event_id: str) -> float | None:
    """Seconds to COPY the event's claim result rows into an empty table like claim_result
    (with its keys and indexes), in a transaction rolled back afterwards."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            return None
        raw = _raw(conn)
        with raw.cursor() as cur:
            cur.execute("CREATE TEMP TABLE floor_claim_result (LIKE claim_result INCLUDING ALL)")
            rows = copy_out(
                raw,
                "COPY (SELECT * FROM claim_result WHERE payment_event_id = %s "
                "ORDER BY claim_core_id) TO STDOUT",
                (event_id,),
            ).getvalue()
            started = time.perf_counter()
            with cur.copy("COPY floor_claim_result FROM STDIN") as copy:
                copy.write(rows)
            seconds = time.perf_counter() - started
        conn.rollback()
    return round(seconds, 3)
