"""Maker-checker over HTTP (service.approvals) and the audit log (service.audit).

- `POST /payment-events/{id}/final-run-request` (REQUEST_FINAL) requests a Final Run of the
  event's latest Dry Run; `POST .../approval` (APPROVE) approves it; `POST .../rejection` with
  `{"reason": "..."}` rejects it; `GET .../approval` (READ) shows the latest request's state.
- `GET /audit` (admins and approvers: MANAGE_USERS or APPROVE) lists the latest audit entries,
  of one event with `payment_event_id`.

A refused decision is a 409 saying why (not requested, already decided, void, claims changed);
maker-checker and roles answer 403; no key 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from paymentprocess.api.deps import EngineDep, ReadPrincipal, WritePrincipal
from paymentprocess.api.schemas import ErrorBody
from paymentprocess.domain.roles import Action
from paymentprocess.errors import NotFoundError
from paymentprocess.service import approvals, audit
from paymentprocess.service.access.authorize import require, require_any

router = APIRouter(tags=["approvals"])
EventId = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409, 413, 422)
}


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post(
    "/payment-events/{payment_event_id}/final-run-request",
    status_code=201,
    summary="Request a Final Run of the event's latest Dry Run",
    responses=ERRORS,
)
def post_final_run_request(
    engine: EngineDep, principal: WritePrincipal, payment_event_id: EventId
) -> dict[str, Any]:
    return approvals.request_final(engine, principal, payment_event_id).to_document()


@router.post(
    "/payment-events/{payment_event_id}/approval",
    summary="Approve the requested Final Run (maker-checker)",
    responses=ERRORS,
)
def post_approval(
    engine: EngineDep, principal: WritePrincipal, payment_event_id: EventId
) -> dict[str, Any]:
    return approvals.approve(engine, principal, payment_event_id).to_document()


@router.post(
    "/payment-events/{payment_event_id}/rejection",
    summary="Reject the requested Final Run, with a reason",
    responses=ERRORS,
)
def post_rejection(
    engine: EngineDep, principal: WritePrincipal, payment_event_id: EventId, body: Rejection
) -> dict[str, Any]:
    return approvals.reject(engine, principal, payment_event_id, body.reason).to_document()


@router.get(
    "/payment-events/{payment_event_id}/approval",
    summary="The event's latest Final Run request and its status",
    responses=ERRORS,
)
def get_approval(
    engine: EngineDep, principal: ReadPrincipal, payment_event_id: EventId
) -> dict[str, Any]:
    require(principal, Action.READ)
    state = approvals.approval_state(engine, payment_event_id)
    if state is None:
        raise NotFoundError(f"no Final Run of {payment_event_id!r} was requested")
    return state.to_document()


@router.get("/audit", summary="The latest audit log entries", responses=ERRORS)
def get_audit(
    engine: EngineDep,
    principal: ReadPrincipal,
    payment_event_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_ENTRIES)] = 200,
) -> dict[str, Any]:
    require_any(principal, Action.MANAGE_USERS, Action.APPROVE)
    found = audit.entries(engine, event_id=payment_event_id, limit=limit)
    return {"entries": [e.to_document() for e in found]}
