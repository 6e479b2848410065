"""Crash safety of `paymentprocess load DIR` (both databases).

A few thousand generated claims (with their lines, payees, ledger, ...) are exported to a
directory; a real `load` process is SIGKILLed, first while it is writing rows (PostgreSQL: its
backend is running a COPY/INSERT; SQLite: it holds the database write lock), then at random
moments of the whole load. After each kill the database is exactly as before (nothing half
loaded); a load that was killed after its commit is there whole. A final load succeeds and
equals an uninterrupted load of the same files.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from tests.db_snapshot import everything
from tests.reliability.crash_points import FULL, crash_seed
from tests.reliability.harness import (
    SIGKILLED,
    WriteProbe,
    business_state,
    databases,
    diff,
    engine_on,
    kill_and_reap,
    start_preloaded,
    wait_for_backends_gone,
    wipe,
)

from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory
from paymentprocess.synth.cycle import generate_cycle

LOAD_CLAIMS = 3000
WRITE_KILLS = 3 if FULL else 1
RANDOM_KILLS = 8 if FULL else 1


def _kill_while_writing(uri: str, directory: Path, cwd: Path) -> tuple[int, bool]:
    """Start a load, wait until it writes rows (seen twice in a row), kill it."""
    probe = WriteProbe(uri)
    try:
        proc = start_preloaded(uri, "load", str(directory), cwd=cwd)
        seen = 0
        while proc.poll() is None and seen < 2:
            seen = seen + 1 if probe.writing() else 0
            time.sleep(0.002)
        return kill_and_reap(proc), seen >= 2
    finally:
        probe.close()


@pytest.mark.slow
@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_crash_of_load_leaves_nothing_half_loaded(db_uri: str, tmp_path: Path) -> None:
    rng = random.Random(crash_seed())
    directory = tmp_path / "export"
    with databases(db_uri, tmp_path) as dbs:
        source = dbs.fresh()
        with engine_on(source) as engine:
            generate_cycle(engine, LOAD_CLAIMS, 5, event_id="PE-1")
            export_directory(engine, directory, fmt="jsonl")
        reference = dbs.fresh()
        with engine_on(reference) as engine:  # the uninterrupted load, and how long it takes
            started = time.perf_counter()
            load_directory(engine, directory)
            duration = time.perf_counter() - started + 0.3  # + engine and schema check
            expected = business_state(engine)
        assert len(expected["service_line"]) > 3 * LOAD_CLAIMS

        with engine_on(db_uri) as engine:
            before = everything(engine)
        outcomes = {"mid-write": 0, "before commit": 0, "after commit": 0}
        for attempt in range(WRITE_KILLS + RANDOM_KILLS):
            if attempt < WRITE_KILLS:
                code, writing = _kill_while_writing(db_uri, directory, tmp_path)
                assert writing, "the load finished before it was seen writing"
            else:
                proc = start_preloaded(db_uri, "load", str(directory), cwd=tmp_path)
                time.sleep(rng.uniform(0.0, duration))
                code, writing = kill_and_reap(proc), False
            wait_for_backends_gone(db_uri)
            with engine_on(db_uri) as engine:
                now = everything(engine)
                if code == SIGKILLED and now == before:
                    outcomes["mid-write" if writing else "before commit"] += 1
                    continue
                assert not writing, "a load killed while writing left rows behind"
                state = business_state(engine)
                assert state == expected, diff(state, expected)
                outcomes["after commit"] += 1
                wipe(engine)
            with engine_on(db_uri) as engine:
                assert everything(engine) == before
        assert outcomes["mid-write"] == WRITE_KILLS, outcomes
        with engine_on(db_uri) as engine:
            load_directory(engine, directory)
            state = business_state(engine)
        assert state == expected, diff(state, expected)
    print(f"load of {LOAD_CLAIMS} claims ({duration:.2f} s) killed: {outcomes}")
