"""Crash safety of `restore` (both databases): a real `python -m paymentprocess restore` process
SIGKILLed at each of its checkpoints (after its checks, after putting back each backed-up table,
after removing the event's results, after the stage) and at random moments leaves the database
exactly as before the restore or exactly as after it — never between; a restore run again then
completes, and the database equals a copy restored once without being killed.
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
    kill_and_reap,
    run_cli,
    start_preloaded,
    wait_for_backends_gone,
)

from paymentprocess.service.runs import restore_final_run, run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

EVENT = "PE-1"
RESTORE_POINTS = (
    "restore:after-checks",
    *(f"restore:after-{name}" for name in t.backup_copies),
    "restore:after-results",
    "restore:after-stage",
)
BOTH = pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
RESTORE = ("restore", "--backup", "1")


def _paid_cycle(uri: str) -> None:
    """A generated cycle (new payees, carry-overs, refunds), Dry Run and Final Run done."""
    with engine_on(uri) as engine:
        generate_cycle(engine, 1000, 11, event_id=EVENT)
        for mode in ("dry-run", "final"):
            done = run_payment_event(engine, EVENT, mode)  # type: ignore[arg-type]
            assert done.exit_code == 0, done.message


@pytest.mark.slow
@BOTH
def test_restore_killed_at_any_checkpoint_leaves_before_and_reruns(
    db_uri: str, tmp_path: Path
) -> None:
    _paid_cycle(db_uri)
    with databases(db_uri, tmp_path) as dbs:
        once = dbs.clone(db_uri)
        with engine_on(once) as engine:
            restore_final_run(engine, 1)
            expected = business_state(engine)
        for point in RESTORE_POINTS:
            trial = dbs.clone(db_uri)
            with engine_on(trial) as engine:
                before = everything(engine)
            killed = run_cli(trial, *RESTORE, cwd=tmp_path, PAYMENT_FAULT_AT=f"kill:{point}")
            assert killed.returncode == SIGKILLED, (point, killed.stdout, killed.stderr)
            wait_for_backends_gone(trial)
            with engine_on(trial) as engine:
                assert everything(engine) == before, point
            again = run_cli(trial, *RESTORE, cwd=tmp_path)
            assert again.returncode == 0, (point, again.stderr)
            with engine_on(trial) as engine:
                state = business_state(engine)
            assert state == expected, f"{point}: {diff(state, expected)}"
    # (scripts/crash_matrix.py counts the kills of a "killed: {...}" line)
    print(f"restore killed: {{'at a checkpoint, then as before': {len(RESTORE_POINTS)}}}")


@pytest.mark.slow
@BOTH
def test_restore_killed_at_random_is_before_or_after_never_between(
    db_uri: str, tmp_path: Path
) -> None:
    _paid_cycle(db_uri)
    rng = random.Random(crash_seed())
    seen: dict[str, int] = {}
    with databases(db_uri, tmp_path) as dbs:
        once = dbs.clone(db_uri)
        with engine_on(once) as engine:
            before = business_state(engine)
            restore_final_run(engine, 1)
            after = business_state(engine)
        for _ in range(3):
            trial = dbs.clone(db_uri)
            proc = start_preloaded(trial, *RESTORE, cwd=tmp_path)
            time.sleep(rng.uniform(0.0, 0.4))
            code = kill_and_reap(proc)
            wait_for_backends_gone(trial)
            with engine_on(trial) as engine:
                state = business_state(engine)
            if state == after:
                seen["after"] = seen.get("after", 0) + 1
                assert code in (0, SIGKILLED)
            else:
                assert state == before, diff(state, before)
                assert code == SIGKILLED
                seen["before"] = seen.get("before", 0) + 1
    print(f"restore killed: {seen}")
