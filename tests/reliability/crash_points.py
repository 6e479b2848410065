"""The kill points of the crash matrix and the deterministic, rotating CI sample of them.

Every checkpoint of a Final Run (`engine/pipeline.py`: before/after each stage;
`engine/persist_steps.py`: after each write step) is a kill point; `PAYMENT_FAULT_AT=kill:<point>`
SIGKILLs the run there.

CI runs `CI_POINTS_PER_DATABASE` of them per database. Which ones is decided by the crash seed:
`PAYMENT_CRASH_SEED` if set, else the day number of today's UTC date (so the sample rotates daily
and every point of the list is tried on both databases within four days). With seed s, SQLite
tries the points at positions 6s … 6s+5 of FINAL_POINTS and PostgreSQL those at 6s+12 … 6s+17
(modulo 25). `PAYMENT_CRASH_FULL=1` runs every point on both databases, plus the Dry Run's points.
"""

from __future__ import annotations

import datetime as dt
import os

STAGES = (
    "config",
    "load",
    "payees",
    "compute",
    "validate",
    "transform",
    "ledger",
    "validate_results",
    "persist",
)
FINAL_POINTS = (
    *(f"{when}:{stage}" for stage in STAGES for when in ("before", "after")),
    "final:after-backup",
    "final:after-payees",
    "final:after-claims",
    "final:after-ledger",
    "final:after-payments",
    "final:after-stage",
    "final:after-events",
)
DRY_POINTS = (
    "before:persist",
    "dry:after-claims",
    "dry:after-payees",
    "dry:after-stage",
    "dry:after-events",
)
CI_POINTS_PER_DATABASE = 6

FULL = os.environ.get("PAYMENT_CRASH_FULL", "").lower() in {"1", "true", "yes"}


def crash_seed() -> int:
    given = os.environ.get("PAYMENT_CRASH_SEED", "").strip()
    return int(given) if given else dt.datetime.now(dt.UTC).date().toordinal()


def sampled_points(kind: str, seed: int | None = None) -> list[str]:
    """The Final Run points tried on database `kind` ("sqlite" or "postgresql")."""
    if FULL:
        return list(FINAL_POINTS)
    s = crash_seed() if seed is None else seed
    n = len(FINAL_POINTS)
    offset = 0 if kind == "sqlite" else n // 2
    return [
        FINAL_POINTS[(s * CI_POINTS_PER_DATABASE + offset + k) % n]
        for k in range(CI_POINTS_PER_DATABASE)
    ]


def random_kills() -> int:
    """Random-timing kills per database."""
    given = os.environ.get("PAYMENT_CRASH_RANDOM_KILLS", "").strip()
    if given:
        return int(given)
    return 10 if FULL else 3
