"""Runs are atomic: a Dry Run writes no production table, a failure anywhere changes nothing,
a Critical finding blocks the Final Run with the database unchanged, a second Final Run is a no-op,
and a restored backup puts the database back as it was before the Final Run (both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.db_snapshot import PRODUCTION, everything, snapshot
from tests.golden import builders as b
from tests.reliability.crash_points import FINAL_POINTS

from paymentprocess.engine.backup import restore_backup
from paymentprocess.errors import RunRefusedError
from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

FAULT_POINTS = list(FINAL_POINTS)  # every checkpoint of a Final Run, as the crash matrix


def _cycle() -> dict[str, list[dict[str, Any]]]:
    docs = b.cycle(minimum="5.00")
    docs["InterestConfig"] = [b.interest("Contract", "0.04", 30, "2025-01-01", None)]
    docs["PaymentCenter"] = [b.payee(7)]
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("200.00"), received="2025-04-01"),
        b.paid_claim("H1", "100.00"),
        b.claim("C2", b.line("60.00"), parent="H1", freq="7"),
        b.claim("N1", b.line("30.00"), tax=b.TIN_B, npi=b.NPI_B),
        b.paid_claim("H3", "80.00", tax=b.TIN_C, npi=b.NPI_C),
        b.claim("V3", parent="H3", freq="8", tax=b.TIN_C, npi=b.NPI_C),
    ]
    docs["PaymentCenter"].append(b.payee(8, tax=b.TIN_C, npi=b.NPI_C))
    docs["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", "20.00", "2025-03-01"),
        b.record(4, 7, "UnderPayment", "2.00", "2025-03-01"),
    ]
    docs["Refund"] = [b.refund("RF1", "H1", "5.00")]
    return docs


def test_dry_run_leaves_production_unchanged(engine: Engine) -> None:
    """Only its event (stage DryRun) and one outbox event per Dry Run change."""
    load_documents(engine, _cycle())
    production = tuple(
        tbl for tbl in PRODUCTION if tbl.name not in {"payment_event", "outbox_event"}
    )
    before = snapshot(engine, production)
    for _ in range(2):  # repeatable
        outcome = run_payment_event(engine, "PE-1", "dry-run")
        assert outcome.exit_code == 0, outcome.message
    assert snapshot(engine, production) == before
    with engine.connect() as conn:
        topics = conn.execute(select(t.outbox_event.c.topic)).scalars().all()
    assert topics == ["payment_event.dry_run_completed"] * 2


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_failure_at_any_point_changes_nothing(
    engine: Engine, point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_documents(engine, _cycle())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    before = snapshot(engine)
    monkeypatch.setenv("PAYMENT_FAULT_AT", point)
    failed = run_payment_event(engine, "PE-1", "final")
    assert failed.exit_code == 1
    assert "fault injected" in failed.message
    assert snapshot(engine) == before
    monkeypatch.delenv("PAYMENT_FAULT_AT")
    done = run_payment_event(engine, "PE-1", "final")
    assert done.exit_code == 0, done.message
    assert done.document["totals"]["paid"] != "0.00"


def test_second_final_run_changes_nothing_and_says_so(engine: Engine) -> None:
    load_documents(engine, _cycle())
    run_payment_event(engine, "PE-1", "dry-run")
    assert run_payment_event(engine, "PE-1", "final").exit_code == 0
    after_first = everything(engine)
    again = run_payment_event(engine, "PE-1", "final")
    assert again.exit_code == 0
    assert "already Final; nothing changed" in again.message
    assert everything(engine) == after_first


def test_final_run_refuses_changed_claims_unless_forced(engine: Engine) -> None:
    load_documents(engine, _cycle())
    assert run_payment_event(engine, "PE-1", "final").exit_code == 1  # stage New: Dry Run first
    run_payment_event(engine, "PE-1", "dry-run")
    load_documents(engine, {"ClaimFinCore": [b.claim("LATE", b.line("9.00"))]})
    refused = run_payment_event(engine, "PE-1", "final")
    assert refused.exit_code == 1
    assert "changed since the last Dry Run" in refused.message
    forced = run_payment_event(engine, "PE-1", "final", force=True)
    assert forced.exit_code == 0, forced.message


def test_restore_puts_back_the_state_before_the_final_run(engine: Engine) -> None:
    """Everything but the outbox: the Final Run's events were (or will be) sent, so they stay."""
    load_documents(engine, _cycle())
    run_payment_event(engine, "PE-1", "dry-run")
    production = tuple(
        tbl for tbl in PRODUCTION if tbl.name not in {"payment_event", "outbox_event"}
    )
    before = snapshot(engine, production)
    assert run_payment_event(engine, "PE-1", "final").exit_code == 0
    assert snapshot(engine, production) != before
    with unit_of_work(engine) as uow:
        restore_backup(uow.conn, 1)
        uow.commit()
    assert snapshot(engine, production) == before
    with engine.connect() as conn:
        topics = conn.execute(select(t.outbox_event.c.topic)).scalars().all()
    assert topics.count("payment_event.finalized") == 1
    again = run_payment_event(engine, "PE-1", "final")
    assert again.exit_code == 0, again.message
    with unit_of_work(engine) as uow, pytest.raises(RunRefusedError, match="already restored"):
        restore_backup(uow.conn, 1)


CRITICAL_CASES = {
    "FREQUENCY_CODE": lambda d: d["ClaimFinCore"].append(b.claim("BAD", b.line("1.00"), freq="9")),
    "MISSING_PAYEE_ID": lambda d: d["ClaimFinCore"].append(
        b.claim("NOKEY", b.line("1.00"), npi=None)
    ),
    "DUPLICATE_CLAIM": lambda d: d["ClaimFinCore"].append(
        b.claim("DUP", b.line("1.00"), parent="H1", freq="1")
    ),
    "INVALID_BENEFIT_PLAN": lambda d: d["ClaimFinCore"].append(
        b.claim("PLAN", b.line("1.00"), plan="NOPE")
    ),
    "SEQUENCE_MISMATCH": lambda d: d["SequenceNumbers"].__setitem__(
        0, {"Name": "PaymentCenter", "Value": 1}
    ),
    "SEQUENCE_MISSING": lambda d: d["SequenceNumbers"].pop(2),  # no CheckNumber:FS1
}


@pytest.mark.parametrize("code", sorted(CRITICAL_CASES))
def test_every_critical_code_blocks_the_final_run(engine: Engine, code: str) -> None:
    docs = _cycle()
    CRITICAL_CASES[code](docs)
    load_documents(engine, docs)
    dry = run_payment_event(engine, "PE-1", "dry-run")
    # every one of them Critical in the Dry Run too: it says the Final Run would block
    assert (dry.exit_code, dry.document["status"]) == (2, "CompletedWithErrors")
    before = snapshot(engine)
    final = run_payment_event(engine, "PE-1", "final")
    assert final.exit_code == 2
    assert final.document["status"] == "Blocked"
    assert code in {f["code"] for f in final.document["findings"] if f["severity"] == "Critical"}
    assert final.document["totals"]["paid"] == "0.00"
    assert snapshot(engine) == before


@pytest.mark.parametrize("mode", ["dry-run", "final"])
def test_an_invariant_failure_records_failed_stats_and_changes_no_money(
    engine: Engine, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_documents(engine, _cycle())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    not_stats = tuple(tbl for tbl in t.metadata.sorted_tables if tbl.name != "payment_event_stats")
    before = snapshot(engine, not_stats)
    monkeypatch.setenv("PAYMENT_FAULT_AT", "corrupt:invariant")  # one payee paid a cent more
    failed = run_payment_event(engine, "PE-1", mode)  # type: ignore[arg-type]
    assert failed.exit_code == 1
    assert failed.message.startswith(
        "run failed and changed nothing: InvariantError: money invariant violated for 1 payee(s)"
    )
    assert snapshot(engine, not_stats) == before  # no money, no working table, no stage moved
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.payment_event_stats).order_by(t.payment_event_stats.c.run_id)
        ).all()
    assert [(r.mode, r.status) for r in rows] == [("dry-run", "Completed"), (mode, "Failed")]
    assert failed.run_id == rows[-1].run_id
    assert rows[-1].document["status"] == "Failed"
    assert rows[-1].document["error"].startswith("InvariantError: money invariant violated")
