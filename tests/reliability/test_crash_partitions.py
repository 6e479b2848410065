"""Crash safety of a Final Run computed in partitions (`PAYMENT_PARTITIONS=4`), both databases.

The run is still one transaction: killed (SIGKILL) between two partitions' reads, after the
merge, in the middle of its writes or right after its events, the database is exactly as before;
and once a rerun completes it equals, table for table, a copy that was never killed and ran the
cycle whole (one partition) — so this also shows the partitioned run's results are the whole
run's. Random kills as in test_crash_final_run.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from tests.db_snapshot import everything
from tests.reliability.crash_points import crash_seed
from tests.reliability.harness import (
    SIGKILLED,
    business_state,
    databases,
    diff,
    engine_on,
    run_cli,
    start_preloaded,
    wait_for_backends_gone,
)
from tests.reliability.test_crash_final_run import (
    CHECKPOINT_CLAIMS,
    EVENT,
    FINAL_JSON,
    RANDOM_CLAIMS,
    assert_paid_once_and_numbered_without_gaps,
    kill_at_random,
    prepare_cycle,
    sequences,
)

from paymentprocess.service.runs import run_payment_event

PARTS = "4"
POINTS = ("partition:1", "before:ledger", "final:after-claims", "final:after-events")


def _whole_final(uri: str) -> None:
    with engine_on(uri) as engine:
        done = run_payment_event(engine, EVENT, "final")  # one partition
        assert done.exit_code == 0, done.message


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_a_partitioned_final_run_killed_changes_nothing_and_its_rerun_equals_the_whole_run(
    db_uri: str, point: str, tmp_path: Path
) -> None:
    prepare_cycle(db_uri, CHECKPOINT_CLAIMS)
    with databases(db_uri, tmp_path) as dbs:
        baseline = dbs.clone(db_uri)
        with engine_on(db_uri) as engine:
            before = everything(engine)
            seqs = sequences(engine)
        killed = run_cli(
            db_uri,
            "run", "-m", "final", "-p", EVENT,
            cwd=tmp_path, PAYMENT_FAULT_AT=f"kill:{point}", PAYMENT_PARTITIONS=PARTS,
        )  # fmt: skip
        assert killed.returncode == SIGKILLED, f"not killed at {point}: {killed.stderr}"
        wait_for_backends_gone(db_uri)
        with engine_on(db_uri) as engine:
            after_kill = everything(engine)
        assert after_kill == before, diff(after_kill, before)
        rerun = run_cli(db_uri, *FINAL_JSON, cwd=tmp_path, PAYMENT_PARTITIONS=PARTS)
        assert rerun.returncode == 0, rerun.stderr
        _whole_final(baseline)
        with engine_on(db_uri) as engine, engine_on(baseline) as never_killed:
            got, expected = business_state(engine), business_state(never_killed)
            assert got == expected, diff(got, expected)
            assert_paid_once_and_numbered_without_gaps(engine, seqs)


@pytest.mark.slow
@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_a_partitioned_final_run_killed_at_random_moments_is_all_or_nothing(
    db_uri: str, tmp_path: Path
) -> None:
    seed = crash_seed()
    rng = random.Random(seed)
    prepare_cycle(db_uri, RANDOM_CLAIMS)
    with databases(db_uri, tmp_path) as dbs:
        baseline = dbs.clone(db_uri)
        _whole_final(baseline)
        with engine_on(baseline) as engine:
            expected = business_state(engine)
        timed = dbs.clone(db_uri)
        proc = start_preloaded(timed, *FINAL_JSON, cwd=tmp_path, PAYMENT_PARTITIONS=PARTS)
        started = time.perf_counter()
        assert proc.stdout is not None
        proc.stdout.readline()
        duration = time.perf_counter() - started
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        landed = kill_at_random(dbs, db_uri, tmp_path, expected, duration, rng, int(PARTS))
    print(f"crash seed {seed}: run to commit {duration:.2f} s; random kills landed {landed}")
    assert landed["before commit"] >= 1, f"no kill landed inside the run: {landed}"
