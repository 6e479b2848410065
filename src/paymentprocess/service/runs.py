"""Run a payment event: lock it, run the pipeline (which refuses what may not run), commit.

Everything a run changes happens in one transaction (`unit_of_work`), its outbox events
(service.run_events) included: a failure at any point
leaves the database exactly as it was, and a Failed stats document (PaymentEventStats, status
Failed, the error's type and first line) is then recorded in a transaction of its own — for every
exception the run raises, a violated money invariant (InvariantError) and a database error
included. Not recorded, because no run took place or nothing can be written: a refusal (wrong
stage, claims changed since the Dry Run, another run in progress: exit 1 with its reason), an
event that does not exist, a database that cannot be reached for the record itself, and a process
that is killed (SIGKILL, power loss) — which also changes nothing.
Only one run of an event at a time: PostgreSQL locks the event row (NOWAIT), SQLite holds the
write lock (BEGIN IMMEDIATE). Final Runs of different events share sequences, payees and the
ledger, so on PostgreSQL they also take one advisory lock and pay one after the other. Exit codes: 0 completed, 2 blocked or Critical findings, 1 error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import OperationalError

from paymentprocess.domain.findings import has_critical
from paymentprocess.domain.roles import Action
from paymentprocess.domain.run_config import Mode, RunConfig
from paymentprocess.engine.backup import Restored, backup_event_id, restore_backup
from paymentprocess.engine.config import load_config
from paymentprocess.engine.pipeline import RunResult, execute
from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.faults import checkpoint
from paymentprocess.logs import get_logger
from paymentprocess.service import approvals, audit
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.run_events import write_restore_event, write_run_events
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import is_sqlite, unit_of_work, utcnow

log = get_logger(__name__)


@dataclass
class RunOutcome:
    exit_code: int
    message: str
    run_id: int | None = None
    document: dict[str, Any] = field(default_factory=dict)
    result: RunResult | None = None


def run_payment_event(
    engine: Engine,
    payment_event_id: str,
    mode: Mode,
    *,
    principal: Principal = LOCAL,
    force: bool = False,
    validate_only: bool = False,
    partitions: int | None = None,
    memory_budget: int | None = None,
) -> RunOutcome:
    """Run a Dry Run or Final Run of one event; never raises for bad data, only refuses.
    `partitions` reads and computes the cycle in that many sets of chains (engine.partition),
    or (None) in as few as fit `memory_budget` bytes (default: half the machine's memory): the
    results are the same for every value.

    `principal` must be allowed DRY_RUN or FINAL_RUN (AccessDeniedError). A Final Run (not
    validate-only) under `approvals.approval_required` needs the event's approved request,
    bound to its latest Dry Run and to the claims' fingerprint then — `force` does not replace
    it; the run marks the request consumed and writes its audit row in the run's transaction."""
    require(principal, Action.FINAL_RUN if mode == "final" else Action.DRY_RUN)
    need_approval = mode == "final" and not validate_only and approvals.approval_required(engine)
    started = utcnow()
    run_id: int | None
    t0 = time.perf_counter()
    try:
        with unit_of_work(engine) as uow:
            _lock_event(uow.conn, payment_event_id)
            if mode == "final" and not validate_only:
                one_final_run_at_a_time(uow.conn)
            approval = _approval(uow.conn, payment_event_id) if need_approval else None
            result = execute(
                uow.conn,
                payment_event_id,
                mode,
                force=force,
                validate_only=validate_only,
                approved_fingerprint=approval.fingerprint if approval is not None else None,
                partitions=partitions,
                memory_budget=memory_budget,
            )
            if validate_only:
                return _outcome(result, None, "validation only; nothing was written")
            if result.status == "Blocked":
                uow.conn.rollback()
                uow.conn.begin()
            run_id = _record_stats(
                uow.conn, result.cfg, result.status, result.document, started, principal
            )
            if result.status != "Blocked":
                write_run_events(uow.conn, result.document, run_id)
                if approval is not None:
                    approvals.consume(uow.conn, approval, run_id)
                checkpoint(f"{'final' if mode == 'final' else 'dry'}:after-events")
            _audit_run(uow.conn, principal, result, run_id, approval)
            uow.commit()
    except RunRefusedError as exc:  # engine.refusal decided; nothing was written
        return RunOutcome(exc.exit_code, str(exc))
    except OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        return RunOutcome(
            1, f"another run of payment event {payment_event_id} is in progress (database busy)"
        )
    except NotFoundError:
        raise  # no such event: nothing to run, nothing to record it on
    except Exception as exc:  # noqa: BLE001 - any failure: roll back, record Failed, exit 1
        log.error(
            "run_failed", payment_event_id=payment_event_id, mode=mode, error=type(exc).__name__
        )
        run_id = _record_failure(engine, payment_event_id, mode, started, exc, principal)
        return RunOutcome(1, f"run failed and changed nothing: {_error_text(exc)}", run_id)
    log.info(
        "run_finished",
        payment_event_id=payment_event_id,
        mode=mode,
        status=result.status,
        run_id=run_id,
        seconds=round(time.perf_counter() - t0, 3),
    )
    verb = {
        "Blocked": "blocked by Critical findings; nothing was paid",
        "Completed": "completed",
        "CompletedWithErrors": "completed with Critical findings",
    }[result.status]
    return _outcome(result, run_id, f"{mode} run of {payment_event_id} {verb}")


def _approval(conn: Connection, payment_event_id: str) -> approvals.ApprovalState | None:
    """The approval a Final Run uses; None when the event is Final already (the engine then
    answers "already Final; nothing changed"); RunRefusedError when it is missing."""
    stage = conn.execute(
        select(t.payment_event.c.stage).where(
            t.payment_event.c.payment_event_id == payment_event_id
        )
    ).scalar()
    if stage is None:
        raise NotFoundError(f"no payment event {payment_event_id!r}")
    if stage == "Final":
        return None
    return approvals.approval_for_final_run(conn, payment_event_id)


def _audit_run(
    conn: Connection,
    principal: Principal,
    result: RunResult,
    run_id: int,
    approval: approvals.ApprovalState | None,
) -> None:
    doc = result.document
    detail: dict[str, Any] = {
        "status": result.status,
        "fingerprint": result.cfg.fingerprint,
        "totals": doc.get("totals", {}),
        "claims": (doc.get("counts") or {}).get("claims"),
    }
    if approval is not None:
        detail["request_id"] = approval.request_id
        detail["approved_by"] = approval.decided_by
    action = "final_run" if result.cfg.mode == "final" else "dry_run"
    audit.record(
        conn, principal, action, event_id=result.cfg.payment_event_id, run_id=run_id, detail=detail
    )


def _outcome(result: RunResult, run_id: int | None, message: str) -> RunOutcome:
    code = 2 if has_critical(result.findings) else 0
    return RunOutcome(code, message, run_id, result.document, result)


def _lock_event(conn: Connection, payment_event_id: str) -> None:
    ev = t.payment_event
    if is_sqlite(conn):
        return  # BEGIN IMMEDIATE already holds the database's write lock
    conn.exec_driver_sql(
        "SET LOCAL work_mem = '256MB'"
    )  # hash joins of millions of lines in memory
    try:
        conn.execute(
            select(ev.c.stage)
            .where(ev.c.payment_event_id == payment_event_id)
            .with_for_update(nowait=True)
        )
    except OperationalError:
        raise RunRefusedError(
            f"another run of payment event {payment_event_id} is in progress"
        ) from None


FINAL_RUN_LOCK = 0x50415945  # PostgreSQL advisory lock key held by every Final Run ("PAYE")
FINAL_RUN_WAIT = "30s"  # how long a Final Run waits for another one (SQLite's busy timeout)


def one_final_run_at_a_time(conn: Connection) -> None:
    """PostgreSQL: Final Runs of *different* events share sequences (check numbers), payees and
    the ledger, so they must not overlap: each takes one transaction-level advisory lock before
    reading anything, waits up to FINAL_RUN_WAIT for another Final Run to commit (then reads what
    it wrote), and is refused after that. SQLite's BEGIN IMMEDIATE already serialises writers."""
    if is_sqlite(conn):
        return
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{FINAL_RUN_WAIT}'")
    try:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({FINAL_RUN_LOCK})")
    except OperationalError:
        raise RunRefusedError(
            "another Final Run is in progress on this database (Final Runs pay one at a time); "
            "run again when it has finished"
        ) from None
    conn.exec_driver_sql("SET LOCAL lock_timeout = 0")


def _record_stats(
    conn: Connection,
    cfg: RunConfig,
    status: str,
    document: dict[str, Any],
    started: Any,
    principal: Principal,
) -> int:
    return int(
        conn.execute(
            insert(t.payment_event_stats)
            .values(
                payment_event_id=cfg.payment_event_id,
                mode=cfg.mode,
                status=status,
                started_at=started,
                finished_at=utcnow(),
                document=json.loads(json.dumps(document)),
                started_by=principal.user_name,
            )
            .returning(t.payment_event_stats.c.run_id)
        ).scalar_one()
    )


def _error_text(exc: Exception) -> str:
    """The error's type and first line only: database errors carry row values in their DETAIL
    lines and SQL parameters after them (a duplicate member payee key is a member id, PHI)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:500] if lines else ''}"


def _record_failure(
    engine: Engine,
    payment_event_id: str,
    mode: str,
    started: Any,
    exc: Exception,
    principal: Principal = LOCAL,
) -> int | None:
    doc = {
        "payment_event_id": payment_event_id,
        "mode": mode,
        "status": "Failed",
        "error": _error_text(exc),
    }
    try:
        with unit_of_work(engine) as uow:
            exists = uow.conn.execute(
                select(t.payment_event.c.payment_event_id).where(
                    t.payment_event.c.payment_event_id == payment_event_id
                )
            ).first()
            if exists is None:
                return None
            run_id = int(
                uow.conn.execute(
                    insert(t.payment_event_stats)
                    .values(
                        payment_event_id=payment_event_id,
                        mode=mode,
                        status="Failed",
                        started_at=started,
                        finished_at=utcnow(),
                        document=doc,
                        started_by=principal.user_name,
                    )
                    .returning(t.payment_event_stats.c.run_id)
                ).scalar_one()
            )
            uow.commit()
            return run_id
    except Exception:  # noqa: BLE001 - recording the failure must not hide the failure itself
        return None


@contextmanager
def busy_is_refusal(what: str) -> Iterator[None]:
    """SQLite: a writer that waited out the busy timeout is refused with a message, not a trace."""
    try:
        yield
    except OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        raise RunRefusedError(
            f"the database is busy with a run; {what} again when it has finished"
        ) from None


def restore_final_run(
    engine: Engine,
    backup_id: int,
    *,
    force_issued: str | None = None,
    principal: Principal = LOCAL,
) -> Restored:
    """Undo the latest Final Run from its backup, atomically; refuses (RunRefusedError, nothing
    changed) anything but the latest Final Run or a backup whose tables changed since.

    Takes the locks of a Final Run, in the same order (the event's row, then on PostgreSQL the
    Final Runs' advisory lock; SQLite: the write lock), so a restore and a Final Run of another
    event never overlap: one commits first and the other then reads what it committed.
    `principal` must be allowed RESTORE; the restore writes an audit row in its transaction."""
    require(principal, Action.RESTORE)
    with busy_is_refusal("restore"), unit_of_work(engine) as uow:
        event_id = backup_event_id(uow.conn, backup_id)
        _lock_event(uow.conn, event_id)
        one_final_run_at_a_time(uow.conn)
        restored = restore_backup(uow.conn, backup_id, force_issued=force_issued)
        write_restore_event(uow.conn, event_id, backup_id, restored.stage)
        audit.record(
            uow.conn,
            principal,
            "restore",
            event_id=event_id,
            detail={
                "backup_id": backup_id,
                "stage": restored.stage,
                "rows": restored.rows,
                **({"force_issued": force_issued} if force_issued else {}),
            },
        )
        uow.commit()
    log.info(
        "backup_restored",
        backup_id=backup_id,
        payment_event_id=event_id,
        stage=restored.stage,
        rows=restored.rows,
    )
    return restored


def load_run_config(engine: Engine, payment_event_id: str, mode: Mode) -> RunConfig:
    with unit_of_work(engine, write=False) as uow:
        return load_config(uow.conn, payment_event_id, mode)
