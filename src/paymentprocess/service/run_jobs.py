"""Background runs of a payment event, tracked in the `run_job` table.

`start_job` refuses (409) while the same event has a queued or running job — the check and the
insert happen in one transaction that first locks the event's row (PostgreSQL `FOR UPDATE`; on
SQLite the writing transaction is already exclusive), so two concurrent requests cannot both start
a run. The run itself happens in a daemon thread that records `running`, then `done` (with the
run's exit code and run id) or `failed`. A job left `queued`/`running` by a server that died is
ignored after `STALE_AFTER`. The API's `/payment-events` routes call these functions; the runner
is `service.runs.run_payment_event` (a test may give a stand-in).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.logs import get_logger
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.runs import RunOutcome
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.tables import payment_event, payment_event_stats, run_job

Runner = Callable[..., RunOutcome]
ACTIVE_STATES = ("queued", "running")
STALE_AFTER = timedelta(hours=12)
MAX_MESSAGE = 2000
log = get_logger("paymentprocess.api.runs")


def start_job(
    engine: Engine,
    event_id: str,
    mode: str,
    *,
    force: bool,
    runner: Runner,
    principal: Principal = LOCAL,
) -> dict[str, Any]:
    """Record a queued job and start it in a thread; RunRefusedError if one is active.
    `principal` is handed to the runner (stand-in for the access branch's version)."""
    job_id = uuid.uuid4().hex
    now = utcnow()
    with unit_of_work(engine) as uow:
        event = (
            select(payment_event.c.payment_event_id)
            .where(payment_event.c.payment_event_id == event_id)
            .with_for_update()
        )
        if uow.conn.execute(event).first() is None:
            raise NotFoundError(f"no payment event {event_id!r}")
        active = uow.conn.execute(
            select(run_job.c.job_id).where(
                run_job.c.payment_event_id == event_id,
                run_job.c.state.in_(ACTIVE_STATES),
                run_job.c.created_at > now - STALE_AFTER,
            )
        ).scalar()
        if active is not None:
            raise RunRefusedError(
                f"payment event {event_id!r} already has a run in progress (job {active})"
            )
        uow.conn.execute(
            insert(run_job).values(
                job_id=job_id, payment_event_id=event_id, mode=mode, state="queued", created_at=now
            )
        )
        uow.commit()
    thread = threading.Thread(
        target=_run,
        args=(engine, job_id, event_id, mode, force, runner, principal),
        name=f"run-{job_id[:8]}",
        daemon=True,
    )
    thread.start()
    return read_job(engine, event_id, job_id)


def _set(engine: Engine, job_id: str, **values: Any) -> None:
    with unit_of_work(engine) as uow:
        uow.conn.execute(update(run_job).where(run_job.c.job_id == job_id).values(**values))
        uow.commit()


def _run(
    engine: Engine,
    job_id: str,
    event_id: str,
    mode: str,
    force: bool,
    runner: Runner,
    principal: Principal,
) -> None:
    log.info("run_job_started", job_id=job_id, payment_event_id=event_id, mode=mode)
    try:
        _set(engine, job_id, state="running")
        outcome = (
            runner(engine, event_id, mode, force=force)
            if principal is LOCAL
            else runner(engine, event_id, mode, force=force, principal=principal)
        )
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, never lost in a thread
        message = f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE]
        _set(engine, job_id, state="failed", message=message, finished_at=utcnow())
        log.warning("run_job_failed", job_id=job_id, error=type(exc).__name__)
        return
    _set(
        engine,
        job_id,
        state="done",
        exit_code=outcome.exit_code,
        run_id=outcome.run_id,
        message=(outcome.message or "")[:MAX_MESSAGE],
        finished_at=utcnow(),
    )
    log.info("run_job_done", job_id=job_id, exit_code=outcome.exit_code, run_id=outcome.run_id)


def _job_document(row: Any) -> dict[str, Any]:
    doc = dict(row)
    for name in ("created_at", "finished_at"):
        if doc[name] is not None:
            doc[name] = doc[name].isoformat(timespec="microseconds") + "Z"
    return doc


def read_job(engine: Engine, event_id: str, job_id: str) -> dict[str, Any]:
    with unit_of_work(engine, write=False) as uow:
        row = (
            uow.conn.execute(
                select(run_job).where(
                    run_job.c.job_id == job_id, run_job.c.payment_event_id == event_id
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFoundError(f"no run job {job_id!r} for payment event {event_id!r}")
    return _job_document(row)


def latest_stats(engine: Engine, event_id: str, limit: int) -> dict[str, Any]:
    """The latest PaymentEventStats documents of an event, newest first."""
    stats = payment_event_stats.c
    with unit_of_work(engine, write=False) as uow:
        known = uow.conn.execute(
            select(payment_event.c.payment_event_id).where(
                payment_event.c.payment_event_id == event_id
            )
        ).first()
        rows = (
            uow.conn.execute(
                select(
                    stats.run_id,
                    stats.mode,
                    stats.status,
                    stats.started_at,
                    stats.finished_at,
                    stats.document,
                )
                .where(stats.payment_event_id == event_id)
                .order_by(stats.run_id.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
    if known is None and not rows:
        raise NotFoundError(f"no payment event {event_id!r}")
    runs = []
    for row in rows:
        doc = dict(row)
        for name in ("started_at", "finished_at"):
            if doc[name] is not None:
                doc[name] = doc[name].isoformat(timespec="microseconds") + "Z"
        runs.append(doc)
    return {"payment_event_id": event_id, "runs": runs}
