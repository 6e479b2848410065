"""Crash safety of the Final Run: SIGKILL at every checkpoint and at random moments (both databases).

A real `python -m paymentprocess run -m final` process is killed with SIGKILL (no cleanup, no
rollback by Python) either at a named checkpoint (`PAYMENT_FAULT_AT=kill:<point>`) or after a
random delay while it works on a few thousand generated claims. After each kill:

1. the database is exactly as before the run — every table, working sets and stats included (a
   killed run leaves no stats row), compared row for row;
2. a rerun completes, and the database then equals, table for table, a copy of the same data that
   was never killed and ran once (claim results, payment register with its check numbers, ledger
   records and applications, new payees with their ids, sequences, backups, stats);
3. payee ids, ledger ids and check numbers of the run are contiguous from the sequence values
   before the run (no gap, no reuse), no payee is paid twice, no claim is paid twice.

CI tries a rotating sample of the checkpoints (see `crash_points.py`); the full matrix:
`PAYMENT_CRASH_FULL=1 uv run pytest -n 2 tests/reliability -k crash` or
`uv run python scripts/crash_matrix.py`.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.db_snapshot import everything
from tests.reliability.crash_points import (
    DRY_POINTS,
    FULL,
    crash_seed,
    random_kills,
    sampled_points,
)
from tests.reliability.harness import (
    SIGKILLED,
    Databases,
    business_state,
    databases,
    diff,
    engine_on,
    kill_and_reap,
    run_cli,
    start_preloaded,
    wait_for_backends_gone,
)

from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

EVENT = "PE-1"
DATA_SEED = 11
CHECKPOINT_CLAIMS = 1500
RANDOM_CLAIMS = 3000
FINAL_JSON = ("run", "-m", "final", "-p", EVENT, "--json")


def prepare_cycle(uri: str, claims: int) -> None:
    """A generated cycle (new payees, voids, replacements, carry-overs, refunds) after its Dry Run."""
    with engine_on(uri) as engine:
        generate_cycle(engine, claims, DATA_SEED, event_id=EVENT)
        dry = run_payment_event(engine, EVENT, "dry-run")
        assert dry.exit_code == 0, dry.message


def sequences(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.sequence_numbers.c.name, t.sequence_numbers.c.value)).all()
    return {str(name): int(value) for name, value in rows}


def assert_paid_once_and_numbered_without_gaps(engine: Engine, before: dict[str, int]) -> None:
    """The Final Run's numbers continue the sequences exactly; nothing is paid twice."""
    after = sequences(engine)
    with engine.connect() as conn:
        reg = t.payment_register
        pays = conn.execute(
            select(reg.c.payment_center_id, reg.c.check_number, reg.c.amount).where(
                reg.c.payment_event_id == EVENT
            )
        ).all()
        new_payees = (
            conn.execute(
                select(t.payment_center.c.payment_center_id).where(
                    t.payment_center.c.created_payment_event_id == EVENT
                )
            )
            .scalars()
            .all()
        )
        new_records = (
            conn.execute(
                select(t.over_and_under_payment.c.over_and_under_payment_id).where(
                    t.over_and_under_payment.c.payment_event_id == EVENT
                )
            )
            .scalars()
            .all()
        )
        paid_claims = (
            conn.execute(
                select(t.claim_result.c.claim_core_id).where(t.claim_result.c.outcome == "paid")
            )
            .scalars()
            .all()
        )
        stats = conn.execute(
            select(t.payment_event_stats.c.status).where(
                t.payment_event_stats.c.payment_event_id == EVENT,
                t.payment_event_stats.c.mode == "final",
            )
        ).all()
        stage = conn.execute(
            select(t.payment_event.c.stage).where(t.payment_event.c.payment_event_id == EVENT)
        ).scalar_one()
    assert stage == "Final"
    assert [s for (s,) in stats] == ["Completed"], stats
    assert pays, "the run paid nobody: the data set does not exercise payments"
    assert all(amount > 0 for _, _, amount in pays)
    payees = [p for p, _, _ in pays]
    assert len(payees) == len(set(payees)), "a payee was paid twice"
    assert len(paid_claims) == len(set(paid_claims)), "a claim was paid twice"
    check_seq = next(name for name in after if name.startswith("CheckNumber:"))
    for name, numbers in (
        (check_seq, [int(c) for _, c, _ in pays]),
        ("PaymentCenter", list(new_payees)),
        ("OverAndUnderPayment", list(new_records)),
    ):
        start = before[name]
        assert sorted(numbers) == list(range(start + 1, start + len(numbers) + 1)), name
        assert after[name] == start + len(numbers), name
    assert new_payees, "the data set creates no payee"
    assert new_records, "the data set creates no ledger record"


def kill_at_random(
    dbs: Databases,
    db_uri: str,
    tmp_path: Path,
    expected: dict[str, list[str]],
    duration: float,
    rng: random.Random,
    partitions: int = 1,
) -> dict[str, int]:
    """Final Runs of copies of `db_uri` killed after a random delay (up to 1.1 × `duration`):
    each copy is untouched or holds the run whole (`expected`), and a rerun ends at `expected`
    with its numbers continuing the sequences. Returns where the kills landed."""
    landed = {"before commit": 0, "after commit": 0}
    env = {"PAYMENT_PARTITIONS": str(partitions)}
    for _ in range(random_kills()):
        trial = dbs.clone(db_uri)
        with engine_on(trial) as engine:
            before = everything(engine)
            seqs = sequences(engine)
        proc = start_preloaded(trial, *FINAL_JSON, cwd=tmp_path, **env)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        code = kill_and_reap(proc)
        wait_for_backends_gone(trial)
        with engine_on(trial) as engine:
            if code == SIGKILLED and everything(engine) == before:
                landed["before commit"] += 1
            else:
                state = business_state(engine)
                assert state == expected, diff(state, expected)
                landed["after commit"] += 1
            rerun = run_payment_event(engine, EVENT, "final", partitions=partitions)
            assert rerun.exit_code == 0, rerun.message
            state = business_state(engine)
            assert state == expected, diff(state, expected)
            assert_paid_once_and_numbered_without_gaps(engine, seqs)
    return landed


def _run_final_in_process(uri: str) -> None:
    with engine_on(uri) as engine:
        done = run_payment_event(engine, EVENT, "final")
        assert done.exit_code == 0, done.message
        assert done.document["status"] == "Completed"


CHECKPOINT_CASES = [
    *(
        (kind, "final", point)
        for kind in ("sqlite", "postgresql")
        for point in sampled_points(kind)
    ),
    *(
        (kind, "dry-run", point)
        for kind in ("sqlite", "postgresql")
        for point in (DRY_POINTS if FULL else ())
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("db_uri", "mode", "point"),
    CHECKPOINT_CASES,
    indirect=["db_uri"],
    ids=[f"{k}-{m}-{p}" for k, m, p in CHECKPOINT_CASES],
)
def test_crash_at_a_checkpoint_changes_nothing_and_the_rerun_pays_exactly_once(
    db_uri: str, mode: str, point: str, tmp_path: Path
) -> None:
    print(f"crash seed {crash_seed()}: {mode} killed at {point}")
    prepare_cycle(db_uri, CHECKPOINT_CLAIMS)
    with databases(db_uri, tmp_path) as dbs:
        baseline = dbs.clone(db_uri)
        with engine_on(db_uri) as engine:
            before = everything(engine)
            seqs = sequences(engine)
        killed = run_cli(
            db_uri, "run", "-m", mode, "-p", EVENT, cwd=tmp_path, PAYMENT_FAULT_AT=f"kill:{point}"
        )
        assert killed.returncode == SIGKILLED, (
            f"the run was not killed at {point}: exit {killed.returncode}\n{killed.stderr}"
        )
        wait_for_backends_gone(db_uri)
        with engine_on(db_uri) as engine:
            after_kill = everything(engine)
        assert after_kill == before, diff(after_kill, before)

        if mode == "dry-run":  # a killed Dry Run changed nothing; a rerun still works
            with engine_on(db_uri) as engine:
                again = run_payment_event(engine, EVENT, "dry-run")
            assert again.exit_code == 0, again.message
            return
        _run_final_in_process(baseline)
        _run_final_in_process(db_uri)
        with engine_on(db_uri) as engine, engine_on(baseline) as never_killed:
            got, expected = business_state(engine), business_state(never_killed)
            assert got == expected, diff(got, expected)
            assert_paid_once_and_numbered_without_gaps(engine, seqs)


@pytest.mark.slow
@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_crash_at_random_moments_is_all_or_nothing(db_uri: str, tmp_path: Path) -> None:
    """Kill a Final Run of a few thousand claims after a random delay: before the commit the
    database is untouched, after it the run is there whole; either way a rerun ends exactly like
    a run that was never killed."""
    seed = crash_seed()
    rng = random.Random(seed)
    prepare_cycle(db_uri, RANDOM_CLAIMS)
    with databases(db_uri, tmp_path) as dbs:
        baseline = dbs.clone(db_uri)
        with engine_on(baseline) as engine:
            seqs = sequences(engine)
        # --json prints the stats document once the run committed: time to the first line of it
        proc = start_preloaded(baseline, *FINAL_JSON, cwd=tmp_path)
        started = time.perf_counter()
        assert proc.stdout is not None
        proc.stdout.readline()
        duration = time.perf_counter() - started
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        with engine_on(baseline) as engine:
            expected = business_state(engine)
            assert_paid_once_and_numbered_without_gaps(engine, seqs)

        landed = kill_at_random(dbs, db_uri, tmp_path, expected, duration, rng)
    print(f"crash seed {seed}: run to commit {duration:.2f} s; random kills landed {landed}")
    assert landed["before commit"] >= 1, f"no kill landed inside the run: {landed}"
