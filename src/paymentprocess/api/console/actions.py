"""The console's actions (POST forms, CSRF-checked): start a Dry Run, request the Final Run,
approve, reject with a reason, start the approved Final Run.

Runs start as background jobs (service.run_jobs, as the API's POST /payment-events/{id}/runs)
with the principal, so the run's own checks (role, approval: service.runs) apply exactly as on
the CLI and the API; the page then polls the job with htmx. Approvals go through
service.approvals, which checks the role and the maker-checker rule. Each answers 303 to the
event's page; a refusal is an HTML page with its status (403, 404, 409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.console.session import CONSOLE, ConsoleError, PostViewerDep, Viewer, allowed
from paymentprocess.domain.roles import Action
from paymentprocess.errors import AccessDeniedError, NotFoundError, PaymentError, RunRefusedError
from paymentprocess.service import approvals, run_jobs

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
MAX_REASON = 2000


def _back(event_id: str, **query: str) -> Response:
    suffix = "".join(f"{'&' if i else '?'}{k}={v}" for i, (k, v) in enumerate(query.items()))
    return RedirectResponse(f"/console/events/{event_id}{suffix}", status_code=303)


def _service(call: Callable[[], Any]) -> Any:
    """Call a service function; its refusals become console error pages."""
    try:
        return call()
    except AccessDeniedError as exc:
        raise ConsoleError(403, str(exc)) from None
    except NotFoundError as exc:
        raise ConsoleError(404, str(exc)) from None
    except (RunRefusedError, PaymentError) as exc:  # refused: wrong stage, approval, ...
        raise ConsoleError(409, str(exc)) from None


def _start(request: Request, viewer: Viewer, event_id: str, mode: str) -> Response:
    allowed(viewer, Action.DRY_RUN if mode == "dry-run" else Action.FINAL_RUN)
    job = _service(
        lambda: run_jobs.start_job(
            request.app.state.engine,
            event_id,
            mode,
            force=False,
            runner=request.app.state.run_payment_event,
            principal=viewer.principal,
        )
    )
    return _back(event_id, job=job["job_id"])


@router.post("/events/{event_id}/dry-run")
def start_dry_run(request: Request, viewer: PostViewerDep, event_id: str) -> Response:
    return _start(request, viewer, event_id, "dry-run")


@router.post("/events/{event_id}/final-run")
def start_final_run(request: Request, viewer: PostViewerDep, event_id: str) -> Response:
    return _start(request, viewer, event_id, "final")


@router.post("/events/{event_id}/request-final")
def request_final(request: Request, viewer: PostViewerDep, event_id: str) -> Response:
    allowed(viewer, Action.REQUEST_FINAL)
    engine = request.app.state.engine
    _service(lambda: approvals.request_final(engine, viewer.principal, event_id))
    return _back(event_id)


@router.post("/events/{event_id}/approve")
def approve(request: Request, viewer: PostViewerDep, event_id: str) -> Response:
    allowed(viewer, Action.APPROVE)
    engine = request.app.state.engine
    _service(lambda: approvals.approve(engine, viewer.principal, event_id))
    return _back(event_id)


@router.post("/events/{event_id}/reject")
async def reject(request: Request, viewer: PostViewerDep, event_id: str) -> Response:
    allowed(viewer, Action.APPROVE)
    reason = str((await request.form()).get("reason", "")).strip()
    if not reason:
        raise ConsoleError(400, "A rejection needs a reason.")
    engine = request.app.state.engine
    await run_in_threadpool(
        _service, lambda: approvals.reject(engine, viewer.principal, event_id, reason[:MAX_REASON])
    )
    return _back(event_id)
