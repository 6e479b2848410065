"""`/payment-events`: create an event, start a Dry or Final Run in the background, follow it.

A run request answers 202 at once with a job (see `service.run_jobs`); `GET .../runs/{job_id}` shows
its state and, when done, the run's exit code and run id; `GET .../stats` lists the latest
PaymentEventStats documents. Every table is read and written by the service functions called here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import EngineDep, ReadPrincipal, WritePrincipal
from paymentprocess.api.schemas import ErrorBody, EventStats, PaymentEventIn, RunJob, RunRequest
from paymentprocess.errors import InputError
from paymentprocess.service import run_jobs
from paymentprocess.service.events import create_event

router = APIRouter(prefix="/payment-events", tags=["payment events"])
EventId = Annotated[str, Path(min_length=1, max_length=64)]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


@router.post(
    "",
    status_code=201,
    summary="Create a payment event",
    responses={
        201: {"description": "the created event"},
        **_errors(400, 401, 403, 409, 413, 422),
    },
)
def create_payment_event(
    engine: EngineDep, principal: WritePrincipal, event: PaymentEventIn
) -> dict[str, Any]:
    try:
        return create_event(
            engine,
            payment_event_id=event.payment_event_id,
            event_type=event.event_type,
            payment_due_date=event.payment_due_date,
            business_id=event.business_id,
            funding_source_id=event.funding_source_id,
            inclusion_criteria_id=event.inclusion_criteria_id,
            principal=principal,
        )
    except IntegrityError:
        raise HTTPException(409, f"payment event {event.payment_event_id!r} exists") from None
    except InputError as exc:
        if any("already exists" in p.reason for p in exc.problems):
            raise HTTPException(409, f"payment event {event.payment_event_id!r} exists") from None
        raise


@router.post(
    "/{payment_event_id}/runs",
    status_code=202,
    response_model=RunJob,
    summary="Start a Dry Run or Final Run",
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
async def start_run(
    request: Request,
    engine: EngineDep,
    principal: WritePrincipal,
    payment_event_id: EventId,
    run: RunRequest,
) -> JSONResponse:
    runner = request.app.state.run_payment_event
    job = await run_in_threadpool(
        run_jobs.start_job,
        engine,
        payment_event_id,
        run.mode,
        force=run.force,
        runner=runner,
        principal=principal,
    )
    request.state.job_id = job["job_id"]
    location = f"/payment-events/{payment_event_id}/runs/{job['job_id']}"
    return JSONResponse(job, status_code=202, headers={"Location": location})


@router.get(
    "/{payment_event_id}/runs/{job_id}",
    response_model=RunJob,
    summary="State of a run job",
    responses=_errors(401, 403, 404, 422),
)
def read_run(
    request: Request,
    engine: EngineDep,
    principal: ReadPrincipal,
    payment_event_id: EventId,
    job_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> dict[str, Any]:
    request.state.job_id = job_id
    return run_jobs.read_job(engine, payment_event_id, job_id, principal=principal)


@router.get(
    "/{payment_event_id}/stats",
    response_model=EventStats,
    summary="Latest PaymentEventStats documents",
    responses=_errors(401, 403, 404, 422),
)
def read_stats(
    engine: EngineDep,
    principal: ReadPrincipal,
    payment_event_id: EventId,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    return run_jobs.latest_stats(engine, payment_event_id, limit, principal=principal)
