"""Where the CPU of a load test went: the server's processes, the database's backends, the client.

On a small shared machine a throughput figure says little without knowing who used the cores.
`process_tree_cpu(pid)` is the user + system CPU seconds of a process and its children (the
uvicorn supervisor and its workers); `postgres_backend_cpu(uri)` sums the CPU seconds of the
PostgreSQL backends connected to that database (read from /proc through psutil; backends that
already disconnected are not counted, so it is a lower bound; 0 on SQLite, whose work happens
inside the server's processes). The client's share is `time.process_time()` of this process.
"""

from __future__ import annotations

import psutil
from sqlalchemy import text

from paymentprocess.storage.database import create_engine_for


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return float(times.user + times.system)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by `pid` and every live descendant."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    return round(sum(_cpu(p) for p in family), 3)


def postgres_backend_cpu(db_uri: str) -> float:
    """CPU seconds of the live PostgreSQL backends of `db_uri`'s database (0 for SQLite)."""
    if db_uri.startswith("sqlite"):
        return 0.0
    engine = create_engine_for(db_uri)
    try:
        with engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            total = 0.0
            for pid in pids:
                try:
                    total += _cpu(psutil.Process(int(pid)))
                except psutil.NoSuchProcess:
                    continue
            return round(total, 3)
    finally:
        engine.dispose()
