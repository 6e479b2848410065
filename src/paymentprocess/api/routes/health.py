"""`/health`: 200 when the database answers, with the outbox backlog (how far the relays are
behind: unsent events and the oldest one's age); 503 when the database does not answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import EngineDep
from paymentprocess.api.schemas import Health
from paymentprocess.logs import get_logger
from paymentprocess.service.messaging.backlog import outbox_backlog

router = APIRouter(tags=["health"])
log = get_logger("paymentprocess.api")


def _outbox(engine: EngineDep) -> dict[str, Any] | None:
    """The backlog, or None when the database does not answer."""
    try:
        waiting = outbox_backlog(engine)
    except SQLAlchemyError as exc:
        log.warning("health_database_unreachable", error=type(exc).__name__)
        return None
    return {"unsent": waiting.unsent, "lag_seconds": round(waiting.lag_seconds(), 3)}


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness, database check and outbox backlog",
    responses={503: {"model": Health, "description": "the database does not answer"}},
)
async def health(engine: EngineDep) -> JSONResponse:
    outbox = await run_in_threadpool(_outbox, engine)
    if outbox is not None:
        return JSONResponse({"status": "ok", "database": "ok", "outbox": outbox})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
