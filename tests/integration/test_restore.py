"""`restore` undoes only the latest Final Run, whole, or refuses and changes nothing (issue 10
item 4; both databases).

Before: `restore --backup 1` after a later Final Run of another event exited 0, deleted the payee
that the later payment register references, reset `CheckNumber:FS1` (checks issued twice) and
reopened a ledger record the later run had carried in (its money carried twice).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.db_snapshot import everything
from tests.golden import builders as b
from tests.reliability.harness import business_state

from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.io.load import load_documents
from paymentprocess.service.events import create_event
from paymentprocess.service.runs import restore_final_run, run_payment_event
from paymentprocess.service.sequences import set_sequence
from paymentprocess.storage import tables as t

# kept by a restore, as a record (the outbox: a Final Run's events may already have left; a
# restore adds `payment_event.restored` instead of taking them back, docs/events.md)
HISTORY = {"payment_event_stats", "backup", "backup_event", "outbox_event", "audit_log"}


def two_events() -> dict[str, list[dict[str, Any]]]:
    """PE-1 and PE-2 share funding source FS1 (check numbers), payee 7's open UnderPayment (carried
    in by the first to pay) and payee B, which neither has created (the first Final Run does)."""
    docs = b.cycle(minimum="5.00")
    docs["PaymentEvent"].append({**docs["PaymentEvent"][0], "PaymentEvent_ID": "PE-2"})
    docs["PaymentCenter"] = [b.payee(7), b.payee(8, tax=b.TIN_C, npi=b.NPI_C)]
    docs["OverAndUnderPayment"] = [b.record(4, 7, "UnderPayment", "2.00", "2025-03-01")]
    docs["ClaimFinCore"] = [
        b.claim("A1", b.line("200.00")),
        b.claim("A2", b.line("30.00"), tax=b.TIN_B, npi=b.NPI_B),  # new payee B
        b.claim("AV", parent="NOPE", freq="8"),  # held: missing parent paid (a Warning)
        b.claim("B1", b.line("150.00"), event="PE-2"),
        b.claim("B2", b.line("40.00"), tax=b.TIN_B, npi=b.NPI_B, event="PE-2"),
        b.claim("B3", b.line("7.00"), tax=b.TIN_C, npi=b.NPI_C, event="PE-2"),
    ]
    return docs


def _without_history(state: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: v for k, v in state.items() if k not in HISTORY and not k.startswith("backup_")}


def _final(engine: Engine, event: str) -> None:
    done = run_payment_event(engine, event, "final")
    assert done.exit_code == 0, done.message
    assert done.document["status"] == "Completed"


def _cli(db_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_restore_of_an_older_final_run_is_refused_naming_the_later_one(
    engine: Engine, db_uri: str
) -> None:
    load_documents(engine, two_events())
    for event in ("PE-1", "PE-2"):
        assert run_payment_event(engine, event, "dry-run").exit_code == 0
    before_pe1 = everything(engine)
    _final(engine, "PE-1")
    before_pe2 = everything(engine)
    _final(engine, "PE-2")
    paid = everything(engine)
    refused = _cli(db_uri, "restore", "--backup", "1")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = " ".join(refused.stderr.split())
    assert "backup 1 (PE-1, run 3 at" in message
    assert "is not the latest Final Run" in message
    assert "PE-2 (run 4 at" in message
    assert "backup 2)" in message
    assert "restore --backup 2" in message
    assert "Nothing was changed." in message
    assert "Traceback" not in refused.stderr
    assert everything(engine) == paid  # payee B, CheckNumber:FS1, the carried-in record: intact
    # latest first: PE-2, then PE-1 — each time exactly the state before that Final Run
    restored = _cli(db_uri, "restore", "--backup", "2")
    assert restored.returncode == 0, restored.stderr
    said = " ".join(restored.stdout.split())
    assert "restored backup 2: payment event PE-2 is at stage DryRun again" in said
    assert "removed the event's claim_result (3 rows), payment_register (3 rows)." in said
    assert _without_history(everything(engine)) == _without_history(before_pe2)
    assert restore_final_run(engine, 1).payment_event_id == "PE-1"
    assert _without_history(everything(engine)) == _without_history(before_pe1)
    with pytest.raises(RunRefusedError, match="already restored"):
        restore_final_run(engine, 1)
    with pytest.raises(NotFoundError, match="backup 9 does not exist"):
        restore_final_run(engine, 9)


def test_after_a_restore_the_database_is_as_before_the_final_run_and_the_event_pays_again(
    engine: Engine,
) -> None:
    load_documents(engine, two_events())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    before = everything(engine)
    _final(engine, "PE-1")
    paid = _without_history(business_state(engine))
    restored = restore_final_run(engine, 1)
    assert restored.rows["payment_register removed"] == 2
    assert restored.rows["claim_result removed"] == 3
    after = everything(engine)
    assert _without_history(after) == _without_history(before)  # every table, timestamps too
    # what is kept, as a record: the Final Run's stats and its backup, marked restored
    assert len(after["payment_event_stats"]) == len(before["payment_event_stats"]) + 1
    with engine.connect() as conn:
        topics = conn.execute(
            select(t.outbox_event.c.topic).order_by(t.outbox_event.c.outbox_id)
        ).scalars()
        assert list(topics) == [
            "payment_event.dry_run_completed",
            "payment_event.finalized",
            "payment.issued",
            "payment.issued",
            "payment_event.restored",
        ]
    with engine.connect() as conn:
        restored_at = conn.execute(select(t.backup.c.restored_at)).scalar_one()
    assert isinstance(restored_at, dt.datetime)
    _final(engine, "PE-1")  # runnable again; pays exactly the same (same ids and check numbers)
    assert _without_history(business_state(engine)) == paid  # (timestamps aside)


def test_a_forced_final_run_restores_to_its_stage_before(engine: Engine) -> None:
    load_documents(engine, two_events())  # stage New: no Dry Run, paid with --force
    before = everything(engine)
    assert run_payment_event(engine, "PE-1", "final", force=True).exit_code == 0
    assert restore_final_run(engine, 1).stage == "New"
    assert _without_history(everything(engine)) == _without_history(before)


def _paid_pe1(engine: Engine) -> None:
    load_documents(engine, two_events())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    _final(engine, "PE-1")


def test_restore_refuses_when_a_load_added_payees_or_ledger_records_since(engine: Engine) -> None:
    _paid_pe1(engine)
    load_documents(
        engine,
        {
            "PaymentCenter": [b.payee(900, tax="111111111", npi="1111111112")],
            "OverAndUnderPayment": [b.record(90, 8, "OverPayment", "1.00", "2025-05-01")],
        },
    )
    state = everything(engine)
    with pytest.raises(RunRefusedError) as refused:
        restore_final_run(engine, 1)
    assert "1 payees added by something else (a load?)" in str(refused.value)
    assert "1 ledger records added by something else" in str(refused.value)
    assert everything(engine) == state


def test_restore_refuses_when_a_sequence_moved_since(engine: Engine) -> None:
    _paid_pe1(engine)
    set_sequence(engine, "CheckNumber:FS1", 7000)  # checks 1001-7000 issued elsewhere meanwhile
    state = everything(engine)
    with pytest.raises(
        RunRefusedError, match=r"sequence CheckNumber:FS1 is 7000 \(the Final Run left 1002\)"
    ):
        restore_final_run(engine, 1)
    assert everything(engine) == state


def test_restore_refuses_when_its_held_claims_went_to_a_new_event(engine: Engine) -> None:
    _paid_pe1(engine)
    created = create_event(
        engine,
        payment_event_id="PE-9",
        event_type="Provider",
        payment_due_date=dt.date(2025, 8, 15),
        business_id="B1",
        funding_source_id="FS1",
        inclusion_criteria_id=None,
    )
    assert created["claims_assigned"] == 1  # AV, held by PE-1's Final Run
    state = everything(engine)
    with pytest.raises(RunRefusedError, match="1 of its claims now assigned to event PE-9"):
        restore_final_run(engine, 1)
    assert everything(engine) == state


def test_restore_names_the_dry_runs_of_other_events_made_since(engine: Engine) -> None:
    _paid_pe1(engine)
    assert run_payment_event(engine, "PE-2", "dry-run").exit_code == 0  # saw payee B as OLD
    assert restore_final_run(engine, 1).stale_dry_runs == ["PE-2"]
