"""What a benchmark figure depends on: the machine, the load on it, the versions, memory use.

`machine_info()` names the CPU model, logical and physical cores and total memory;
`load_average()` is the 1/5/15-minute load (reported next to every figure: the benchmarks share
their cores with everything else on the machine); `versions(engine)` gives Python, Polars,
SQLAlchemy, psycopg and the database server's version. `PeakRss` samples this process's resident
set size on a background thread while a block runs, so a stage's peak is measured in the process
that ran it (`ru_maxrss` alone only ever grows over the whole process).
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import threading
from importlib import metadata
from types import TracebackType
from typing import Any

import psutil
from sqlalchemy import Engine, text

from paymentprocess.storage.database import is_sqlite

MB = 1024 * 1024


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def versions(engine: Engine | None = None) -> dict[str, str]:
    out = {
        "python": sys.version.split()[0],
        **{p: _version(p) for p in ("paymentprocess", "polars", "sqlalchemy", "psycopg")},
        **{p: _version(p) for p in ("fastapi", "uvicorn", "httpx")},
    }
    if engine is not None:
        out["database"] = database_version(engine)
    return out


def database_version(engine: Engine) -> str:
    if is_sqlite(engine):
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        return f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar_one()}"


def rss_mb() -> float:
    return round(float(psutil.Process().memory_info().rss) / MB, 1)


class PeakRss:
    """`with PeakRss() as peak:` … `peak.mb` — the highest RSS sampled while the block ran."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.start_mb = 0.0
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process = psutil.Process()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, self._process.memory_info().rss / MB)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakRss:
        self.start_mb = self.mb = rss_mb()
        self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.mb = round(max(self.mb, rss_mb()), 1)
