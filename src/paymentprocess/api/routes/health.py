"""`/health`: 200 when the database answers a trivial query, 503 when it does not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import EngineDep
from paymentprocess.api.schemas import Health
from paymentprocess.logs import get_logger

router = APIRouter(tags=["health"])
log = get_logger("paymentprocess.api")


def _database_answers(engine: EngineDep) -> bool:
    try:
        with engine.connect() as conn:
            conn.execution_options(write=False).execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health_database_unreachable", error=type(exc).__name__)
        return False
    return True


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and database check",
    responses={503: {"model": Health, "description": "the database does not answer"}},
)
async def health(engine: EngineDep) -> JSONResponse:
    if await run_in_threadpool(_database_answers, engine):
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
