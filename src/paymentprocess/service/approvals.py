"""Maker-checker approvals of a Final Run. STAND-IN for the access branch (its version wins at
merge): kept in memory per engine, with the interface's names and rules (an approver who is not
the requester; bound to the Dry Run's fingerprint and totals)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.domain.money import parse_cents
from paymentprocess.domain.roles import Action
from paymentprocess.errors import AccessDeniedError, NotFoundError, RunRefusedError
from paymentprocess.service import audit
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import Principal
from paymentprocess.service.access.users import users_exist
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work, utcnow


@dataclass(frozen=True)
class ApprovalState:
    event_id: str
    request_id: int
    requested_by: str
    requested_at: datetime
    dry_run_id: int
    fingerprint: str | None
    totals: dict[str, Any]
    status: str  # requested | approved | rejected | void | consumed
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    why_void: str | None = None


_STATES: dict[int, tuple[Engine, dict[str, ApprovalState]]] = {}


def _store(engine: Engine) -> dict[str, ApprovalState]:
    return _STATES.setdefault(id(engine), (engine, {}))[1]


def approval_required(engine: Engine) -> bool:
    return users_exist(engine)


def approval_state(engine: Engine, event_id: str) -> ApprovalState | None:
    return _store(engine).get(event_id)


def request_final(engine: Engine, principal: Principal, event_id: str) -> ApprovalState:
    require(principal, Action.REQUEST_FINAL)
    ev, st = t.payment_event, t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        event = uow.conn.execute(
            select(ev.c.stage, ev.c.claims_fingerprint).where(ev.c.payment_event_id == event_id)
        ).first()
        if event is None:
            raise NotFoundError(f"payment event {event_id!r} does not exist")
        dry = uow.conn.execute(
            select(st.c.run_id, st.c.document)
            .where(st.c.payment_event_id == event_id, st.c.mode == "dry-run")
            .order_by(st.c.run_id.desc())
            .limit(1)
        ).first()
        if event.stage != "DryRun" or dry is None:
            raise RunRefusedError(
                f"payment event {event_id} has no Dry Run to request a Final Run of"
            )
        current = _store(engine).get(event_id)
        if (
            current is not None
            and current.dry_run_id == int(dry.run_id)
            and current.status in ("requested", "approved", "rejected")
        ):
            raise RunRefusedError(
                f"a Final Run of {event_id} was already requested for Dry Run {dry.run_id} "
                f"({current.status}); a new request needs a new Dry Run"
            )
        doc = dry.document
        totals = {
            "claims": doc["counts"]["claims"],
            "payees": doc["counts"]["payees"]["total"],
            "net_pay_cents": parse_cents(doc["totals"]["paid"]),
        }
        state = ApprovalState(
            event_id,
            len(_store(engine)) + 1,
            principal.name,
            utcnow(),
            int(dry.run_id),
            event.claims_fingerprint,
            totals,
            "requested",
        )
        audit.record(
            uow.conn,
            principal,
            "request_final",
            event_id=event_id,
            run_id=state.dry_run_id,
            detail={"fingerprint": state.fingerprint, **totals},
        )
    _store(engine)[event_id] = state
    return state


def _decide(
    engine: Engine, principal: Principal, event_id: str, status: str, reason: str | None
) -> ApprovalState:
    require(principal, Action.APPROVE)
    state = approval_state(engine, event_id)
    if state is None or state.status != "requested":
        raise RunRefusedError(f"payment event {event_id} has no Final Run request to decide")
    if principal.user_id is not None and principal.name == state.requested_by:
        raise AccessDeniedError(
            f"user {principal.name!r} requested this Final Run and may not also decide it"
        )
    decided = replace(
        state, status=status, decided_by=principal.name, decided_at=utcnow(), reason=reason
    )
    with engine.connect() as conn:
        audit.record(
            conn,
            principal,
            "approve" if status == "approved" else "reject",
            event_id=event_id,
            run_id=state.dry_run_id,
            detail={"fingerprint": state.fingerprint, **state.totals, "reason": reason},
        )
    _store(engine)[event_id] = decided
    return decided


def approve(engine: Engine, principal: Principal, event_id: str) -> ApprovalState:
    return _decide(engine, principal, event_id, "approved", None)


def reject(engine: Engine, principal: Principal, event_id: str, reason: str) -> ApprovalState:
    if not reason.strip():
        raise RunRefusedError("a rejection needs a reason")
    return _decide(engine, principal, event_id, "rejected", reason)
