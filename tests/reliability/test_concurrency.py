"""Concurrency (both databases): runs that race each other, and intake clients that race on keys.

- Four Final Runs of one event started at once (threads, one engine each): exactly one pays; the
  others are refused at once ("in progress") or, if they got the lock after the winner committed,
  say "already Final; nothing changed". One payment register, one Final stats row, and the
  database equals a single uninterrupted run's.
- A Dry Run started while a Final Run is half-way through its writes (held there by a test hook)
  ends in bounded time and never sees half of them: it is refused at once, or waits and is refused
  because the event is Final, or completes against the state before the Final Run (its document
  equal to a Dry Run on a copy of that state).
- Final Runs of two different events that share a funding source, a payee with an open
  UnderPayment (carried in once) and a payee neither has created yet, forced to overlap: the
  result equals running them one after the other (in some order) — check numbers unique and
  contiguous, the carry-in paid once, the new payee created once (PaymentCenter unique
  (type, payee_key)).
- A restore of the latest Final Run (PE-1) racing a Final Run of another event (PE-2), each held
  half-way through its writes while the other starts, then released: exactly one order wins,
  never a mix — the Final Run first (then the restore is refused, naming PE-2: its backup is no
  longer the latest), or the restore first (then PE-2 pays against the restored state). The
  result equals running them one after the other in that order.
- 32 intake clients posting at once through a real server with two worker processes, four per
  Idempotency-Key (one of them with different content for some keys): one claim per key, every
  201 for a key answers the same claim, the odd one out is refused.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from tests.golden import builders as b
from tests.reliability.harness import (
    business_state,
    databases,
    diff,
    engine_on,
    run_job,
)
from tests.reliability.intake_support import claim_body, intake_consistency, serving

from paymentprocess.engine import backup, persist_steps, pipeline
from paymentprocess.errors import RunRefusedError
from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import RunOutcome, restore_final_run, run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

EVENT = "PE-1"
BOTH = pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)


def _in_threads(jobs: list[Callable[[], RunOutcome]], timeout: float = 120) -> list[RunOutcome]:
    """Run `jobs` in threads released together; their outcomes (a raised exception fails)."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(i: int) -> None:
        start.wait()
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout)
        assert not th.is_alive(), "a run blocked for more than {timeout} s"
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


@pytest.mark.slow
@BOTH
def test_four_final_runs_at_once_pay_exactly_once(db_uri: str, tmp_path: Path) -> None:
    with engine_on(db_uri) as engine:
        generate_cycle(engine, 800, 3, event_id=EVENT)
        assert run_payment_event(engine, EVENT, "dry-run").exit_code == 0
    tally: dict[str, int] = {}
    with databases(db_uri, tmp_path) as dbs:
        single = dbs.clone(db_uri)
        with engine_on(single) as engine:
            assert run_payment_event(engine, EVENT, "final").exit_code == 0
            expected = business_state(engine)
        for _round in range(3):
            trial = dbs.clone(db_uri)
            outcomes = _in_threads([run_job(trial, EVENT, "final") for _ in range(4)])
            winners = [o for o in outcomes if o.run_id is not None]
            assert len(winners) == 1, [o.message for o in outcomes]
            assert winners[0].exit_code == 0
            assert winners[0].document["status"] == "Completed"
            for o in outcomes:
                if o is winners[0]:
                    continue
                if "already Final; nothing changed" in o.message:
                    assert o.exit_code == 0
                    tally["already Final"] = tally.get("already Final", 0) + 1
                else:
                    assert o.exit_code == 1
                    assert "another run of payment event PE-1 is in progress" in o.message
                    tally["refused: in progress"] = tally.get("refused: in progress", 0) + 1
            with engine_on(trial) as engine:
                state = business_state(engine)
                assert state == expected, diff(state, expected)
                with engine.connect() as conn:
                    finals = conn.execute(
                        select(func.count())
                        .select_from(t.payment_event_stats)
                        .where(t.payment_event_stats.c.mode == "final")
                    ).scalar_one()
            assert finals == 1
    print(f"4 concurrent Final Runs × 3 rounds: 1 winner each; losers {tally}")


@pytest.mark.slow
@BOTH
def test_dry_run_during_a_final_run_waits_or_refuses_and_never_sees_half_of_it(
    db_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine_on(db_uri) as engine:
        generate_cycle(engine, 500, 4, event_id=EVENT)
        assert run_payment_event(engine, EVENT, "dry-run").exit_code == 0
    with databases(db_uri, tmp_path) as dbs:
        pre = dbs.clone(db_uri)
        with engine_on(pre) as engine:
            pre_dry = run_payment_event(engine, EVENT, "dry-run")
        reached, release = threading.Event(), threading.Event()
        real_checkpoint = persist_steps.checkpoint

        def hold(point: str) -> None:
            real_checkpoint(point)
            if point == "final:after-claims":  # payees and claim results written, not committed
                reached.set()
                assert release.wait(60)

        monkeypatch.setattr(persist_steps, "checkpoint", hold)
        final: list[RunOutcome] = []
        runner = threading.Thread(target=lambda: final.append(run_job(db_uri, EVENT, "final")()))
        runner.start()
        assert reached.wait(60), "the Final Run never reached its hold point"
        dry: list[RunOutcome] = []
        started = time.monotonic()
        dry_runner = threading.Thread(
            target=lambda: dry.append(run_job(db_uri, EVENT, "dry-run")())
        )
        dry_runner.start()
        dry_runner.join(1.5)  # SQLite: it waits for the write lock; PostgreSQL: refused at once
        release.set()
        dry_runner.join(60)
        runner.join(60)
        waited = time.monotonic() - started
        assert not dry_runner.is_alive(), "the Dry Run blocked"
        assert not runner.is_alive(), "the Final Run blocked"
    assert final[0].exit_code == 0, final[0].message
    outcome = dry[0]
    if outcome.exit_code == 1:
        assert outcome.run_id is None
        assert not outcome.document
        assert (
            "another run of payment event PE-1 is in progress" in outcome.message
            or "already Final; a Dry Run would change nothing" in outcome.message
        ), outcome.message
        kind = (
            "waited, then refused: already Final"
            if "Final" in outcome.message
            else "refused at once"
        )
    else:
        kind = "completed against the state before the Final Run"
        assert outcome.exit_code == 0
        strip = {"timings_ms"}
        got = {k: v for k, v in outcome.document.items() if k not in strip}
        want = {k: v for k, v in pre_dry.document.items() if k not in strip}
        assert got == want
    with engine_on(db_uri) as engine, engine.connect() as conn:
        stats = conn.execute(
            select(t.payment_event_stats.c.mode, t.payment_event_stats.c.status).order_by(
                t.payment_event_stats.c.run_id
            )
        ).all()
    dry_rows = [s for m, s in stats if m == "dry-run"]
    assert dry_rows == (["Completed"] if outcome.exit_code == 1 else ["Completed", "Completed"])
    assert [s for m, s in stats if m == "final"] == ["Completed"]
    print(f"Dry Run during a Final Run: {kind} after {waited:.2f} s")


def _two_events(new_payee: bool) -> dict[str, list[dict[str, Any]]]:
    docs = b.cycle(minimum="5.00")
    docs["PaymentEvent"].append({**docs["PaymentEvent"][0], "PaymentEvent_ID": "PE-2"})
    docs["InterestConfig"] = [b.interest("Contract", "0.04", 30, "2025-01-01", None)]
    docs["PaymentCenter"] = [b.payee(7), b.payee(8, tax=b.TIN_C, npi=b.NPI_C, PaymentMethod="EFT")]
    docs["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", "20.00", "2025-03-01"),
        b.record(4, 7, "UnderPayment", "2.00", "2025-03-01"),
        b.record(5, 8, "UnderPayment", "3.50", "2025-02-01"),
    ]
    docs["ClaimFinCore"] = [
        b.claim("A1", b.line("200.00"), received="2025-04-01"),
        b.claim("A2", b.line("30.00"), tax=b.TIN_B, npi=b.NPI_B),  # a new payee, in both events
        b.claim("A3", b.line("12.00"), tax=b.TIN_C, npi=b.NPI_C),
        b.claim("B1", b.line("150.00"), event="PE-2"),
        b.claim("B2", b.line("40.00"), tax=b.TIN_B, npi=b.NPI_B, event="PE-2"),
        b.claim("B3", b.line("7.00"), tax=b.TIN_C, npi=b.NPI_C, event="PE-2"),
    ]
    if not new_payee:  # only existing payees: nothing for a unique key to catch
        docs["ClaimFinCore"] = [c for c in docs["ClaimFinCore"] if c["TaxID"] != b.TIN_B]
    return docs


@pytest.mark.slow
@BOTH
@pytest.mark.parametrize("new_payee", [True, False], ids=["new-payee", "existing-payees"])
def test_final_runs_of_two_events_sharing_payees_serialise(
    db_uri: str, new_payee: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine_on(db_uri) as engine:
        load_documents(engine, _two_events(new_payee))
        for event in ("PE-1", "PE-2"):
            assert run_payment_event(engine, event, "dry-run").exit_code == 0
    with databases(db_uri, tmp_path) as dbs:
        orders = {}
        for order in (("PE-1", "PE-2"), ("PE-2", "PE-1")):
            copy = dbs.clone(db_uri)
            with engine_on(copy) as engine:
                for event in order:
                    done = run_payment_event(engine, event, "final")
                    assert done.exit_code == 0, done.message
                orders[order] = business_state(engine)
        # Hold each run after it has read its data until the other one has too (or 2 s passed).
        both_loaded = threading.Barrier(2)
        real_checkpoint = pipeline.checkpoint

        def overlap(point: str) -> None:
            real_checkpoint(point)
            if point == "after:load":
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_loaded.wait(2)

        monkeypatch.setattr(pipeline, "checkpoint", overlap)
        outcomes = _in_threads([run_job(db_uri, "PE-1", "final"), run_job(db_uri, "PE-2", "final")])
    assert [o.exit_code for o in outcomes] == [0, 0], [o.message for o in outcomes]
    with engine_on(db_uri) as engine:
        state = business_state(engine)
        with engine.connect() as conn:
            checks = conn.execute(select(t.payment_register.c.check_number)).scalars().all()
            seq = conn.execute(
                select(t.sequence_numbers.c.value).where(
                    t.sequence_numbers.c.name == "CheckNumber:FS1"
                )
            ).scalar_one()
            app, rec = t.over_and_under_payment_application, t.over_and_under_payment
            overdrawn = conn.execute(
                select(rec.c.over_and_under_payment_id)
                .join(app, app.c.over_and_under_payment_id == rec.c.over_and_under_payment_id)
                .group_by(rec.c.over_and_under_payment_id, rec.c.opening_remaining_amount)
                .having(func.sum(app.c.amount) > rec.c.opening_remaining_amount)
            ).all()
            keyed = conn.execute(
                select(func.count())
                .select_from(t.payment_center)
                .where(t.payment_center.c.payee_key == b.KEY_B)
            ).scalar_one()
    assert sorted(int(c) for c in checks) == list(range(1001, 1001 + len(checks))), checks
    assert seq == 1000 + len(checks)
    assert not overdrawn, f"ledger records applied beyond their amount: {overdrawn}"
    assert keyed == (1 if new_payee else 0)
    matches = [order for order, expected in orders.items() if expected == state]
    assert matches, diff(state, orders[("PE-1", "PE-2")])
    print(f"two events' Final Runs overlapped; result equals running {matches[0]} in turn")


def _restore_job(uri: str, backup_id: int) -> Callable[[], str]:
    """A restore on its own engine, to be called in a thread: "restored" or the refusal."""

    def job() -> str:
        with engine_on(uri) as engine:
            try:
                restore_final_run(engine, backup_id)
            except RunRefusedError as exc:
                return f"refused: {exc}"
            return "restored"

    return job


@pytest.mark.slow
@BOTH
@pytest.mark.parametrize("held", ["final", "restore", "neither"])
def test_restore_racing_a_final_run_of_another_event_serialises(
    db_uri: str, held: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine_on(db_uri) as engine:
        load_documents(engine, _two_events(new_payee=True))
        for event in ("PE-1", "PE-2"):
            assert run_payment_event(engine, event, "dry-run").exit_code == 0
        assert run_payment_event(engine, "PE-1", "final").exit_code == 0  # backup 1
    with databases(db_uri, tmp_path) as dbs:
        expected = {}
        for order in ("restore first", "final first"):
            copy = dbs.clone(db_uri)
            with engine_on(copy) as engine:
                if order == "restore first":
                    restore_final_run(engine, 1)
                    assert run_payment_event(engine, "PE-2", "final").exit_code == 0
                else:
                    assert run_payment_event(engine, "PE-2", "final").exit_code == 0
                    with pytest.raises(RunRefusedError, match="not the latest Final Run"):
                        restore_final_run(engine, 1)
                expected[order] = business_state(engine)
    # One of them is held inside its transaction (after its first writes) until the other has
    # started and waited a second; then both finish.
    reached, release = threading.Event(), threading.Event()
    hold_at = {"final": "final:after-claims", "restore": "restore:after-payment_center"}.get(held)
    for module in (persist_steps, backup):
        real = module.checkpoint

        def hold(point: str, real: Callable[[str], None] = real) -> None:
            real(point)
            if point == hold_at:
                reached.set()
                assert release.wait(60)

        monkeypatch.setattr(module, "checkpoint", hold)
    results: dict[str, Any] = {}

    def first() -> None:
        job = _restore_job(db_uri, 1) if held == "restore" else run_job(db_uri, "PE-2", "final")
        results["first"] = job()

    def second() -> None:
        job = run_job(db_uri, "PE-2", "final") if held == "restore" else _restore_job(db_uri, 1)
        results["second"] = job()

    if held == "neither":
        both = _in_threads([run_job(db_uri, "PE-2", "final"), _restore_job(db_uri, 1)])  # type: ignore[list-item]
        final, restored = both[0], both[1]
    else:
        one = threading.Thread(target=first)
        one.start()
        assert reached.wait(60), "the held one never reached its hold point"
        two = threading.Thread(target=second)
        two.start()
        two.join(1.0)
        assert two.is_alive(), "the second one did not wait for the first to commit"
        release.set()
        one.join(60)
        two.join(60)
        assert not one.is_alive(), "the held one blocked"
        assert not two.is_alive(), "the waiting one blocked"
        final = results["first" if held == "final" else "second"]
        restored = results["second" if held == "final" else "first"]
    assert final.exit_code == 0, final.message
    with engine_on(db_uri) as engine:
        state = business_state(engine)
    if restored == "restored":
        order = "restore first"
    else:
        assert "is not the latest Final Run" in restored, restored
        assert "PE-2 (run" in restored, restored
        order = "final first"
    if held != "neither":
        assert order == {"final": "final first", "restore": "restore first"}[held]
    assert state == expected[order], diff(state, expected[order])
    print(f"restore racing a Final Run of another event ({held} held): {order}")


@pytest.mark.slow
@BOTH
def test_32_intake_clients_reusing_keys_create_no_duplicate(db_uri: str, tmp_path: Path) -> None:
    keys = [f"race-{k}" for k in range(8)]
    rng = random.Random(7)
    bodies = {key: claim_body(100 + i, rng) for i, key in enumerate(keys)}
    odd = {keys[0]: claim_body(900, rng), keys[1]: claim_body(901, rng)}  # same key, other content
    plan = [
        (key, bodies[key] if n < 3 or key not in odd else odd[key])
        for key in keys
        for n in range(4)
    ]
    answers: list[tuple[str, dict[str, Any], int, dict[str, Any]]] = []
    lock = threading.Lock()
    with serving(db_uri, tmp_path, workers=2) as (base, _proc):
        start = threading.Barrier(len(plan))

        def post(key: str, body: dict[str, Any]) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                http.get("/health")  # connect before the start line
                start.wait()
                resp = http.post("/claims", json=body, headers={"Idempotency-Key": key})
            with lock:
                answers.append((key, body, resp.status_code, resp.json()))

        threads = [threading.Thread(target=post, args=p) for p in plan]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
    assert len(answers) == 32
    with engine_on(db_uri) as engine:
        counts = intake_consistency(engine)
    assert counts["claims"] == counts["keys"] == len(keys)
    for key in keys:
        mine = [(body, status, doc) for k, body, status, doc in answers if k == key]
        created = {doc["claim_id"] for body, status, doc in mine if status == 201}
        assert len(created) == 1, (key, mine)
        winners = [body for body, status, _ in mine if status == 201]
        losers = [(body, status, doc) for body, status, doc in mine if status != 201]
        assert all(body == winners[0] for body in winners)
        for body, status, doc in losers:
            assert status == 422, (status, doc)
            assert body != winners[0]
            assert doc["detail"][0]["field"] == "Idempotency-Key"
    assert sum(status == 422 for _, _, status, _ in answers) in {2, 2 * 3, 1 + 3}
