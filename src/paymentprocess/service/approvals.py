"""Maker-checker on every Final Run: an operator requests it, an approver decides
(docs/console.md, "Roles and approval").

- `request_final` (REQUEST_FINAL): binds a new request to the event's latest Dry Run — its run
  id, the event's claims fingerprint and the Dry Run's totals (claims, payees, net pay). It
  needs the event at stage DryRun after a Dry Run done here that completed (Completed or
  CompletedWithErrors: a Dry Run with Critical findings may be requested, its Final Run is
  Blocked anyway until the data is fixed); one open request per Dry Run.
- `approve` / `reject` (APPROVE): one decision per request (`final_run_decision.request_id` is
  unique: of two approvers racing, one decides and the other is refused). Refused to the user
  who requested the Final Run and to the user who started the Dry Run it is bound to; an
  approval is refused when the event's claims changed since that Dry Run (their fingerprint now
  differs).
- An approval is **void** when the event's latest Dry Run is no longer the one it is bound to,
  when the event's claims fingerprint differs, or when the event is Final by another run. A
  rejected or void request can never be run; after a new Dry Run a new request can be made.
- `approval_for_final_run` is what `service.runs` asks inside the Final Run's transaction; the
  run marks the request consumed (`consume`) in that same transaction.
- `approval_required(engine)`: `PAYMENT_REQUIRE_APPROVAL` true/false, or (unset) on exactly
  when the database has users.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from paymentprocess.domain.money import parse_cents
from paymentprocess.domain.roles import Action
from paymentprocess.engine.pipeline import claims_fingerprint
from paymentprocess.errors import AccessDeniedError, NotFoundError, RunRefusedError
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.options import access_setting
from paymentprocess.service.access.principal import Principal
from paymentprocess.service.access.users import users_exist
from paymentprocess.service.audit import record
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.tables import (
    final_run_decision,
    final_run_request,
    payment_event,
    payment_event_stats,
)

REQUESTABLE = ("Completed", "CompletedWithErrors")


@dataclass
class ApprovalState:
    event_id: str
    request_id: int
    requested_by: str
    requested_at: datetime
    dry_run_id: int
    fingerprint: str
    totals: dict[str, Any] = field(default_factory=dict)  # claims, payees, net_pay_cents
    status: str = "requested"  # requested | approved | rejected | void | consumed
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    why_void: str | None = None
    dry_run_by: str | None = None  # who started the Dry Run the request is bound to
    consumed_run_id: int | None = None

    def to_document(self) -> dict[str, Any]:
        doc = asdict(self)
        for name in ("requested_at", "decided_at"):
            if doc[name] is not None:
                doc[name] = doc[name].isoformat(timespec="microseconds") + "Z"
        return doc


def approval_required(engine: Engine) -> bool:
    """PAYMENT_REQUIRE_APPROVAL: true or false; unset = on when the database has users."""
    policy = access_setting(engine, "require_approval")
    if policy is None:
        return users_exist(engine)
    return bool(policy)


def _event(conn: Connection, event_id: str) -> Any:
    ev = payment_event.c
    row = conn.execute(
        select(ev.stage, ev.claims_fingerprint).where(ev.payment_event_id == event_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no payment event {event_id!r}")
    return row


def _latest_dry_run(conn: Connection, event_id: str) -> Any:
    s = payment_event_stats.c
    return conn.execute(
        select(s.run_id, s.status, s.started_by)
        .where(s.payment_event_id == event_id, s.mode == "dry-run", s.status != "Failed")
        .order_by(s.run_id.desc())
        .limit(1)
    ).first()


def _why_void(
    conn: Connection, state: ApprovalState, stage: str, fingerprint: str | None
) -> str | None:
    if stage == "Final":
        return "the event is Final: it was paid by a run that did not use this request"
    latest = _latest_dry_run(conn, state.event_id)
    if latest is None or int(latest.run_id) != state.dry_run_id:
        newer = "none" if latest is None else str(latest.run_id)
        return (
            f"the event's latest Dry Run is run {newer}, not run {state.dry_run_id} that the "
            "request is bound to"
        )
    if fingerprint != state.fingerprint:
        return f"the event's claims changed since Dry Run {state.dry_run_id}"
    return None


def _state(conn: Connection, event_id: str) -> ApprovalState | None:
    r, d = final_run_request.c, final_run_decision.c
    ev = _event(conn, event_id)
    m = (
        conn.execute(
            select(final_run_request, d.decision, d.decided_by, d.decided_at, d.reason)
            .join_from(
                final_run_request, final_run_decision, d.request_id == r.request_id, isouter=True
            )
            .where(r.payment_event_id == event_id)
            .order_by(r.request_id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if m is None:
        return None
    dry_by = conn.execute(
        select(payment_event_stats.c.started_by).where(
            payment_event_stats.c.run_id == m["dry_run_id"]
        )
    ).scalar()
    state = ApprovalState(
        event_id=event_id,
        request_id=int(m["request_id"]),
        requested_by=m["requested_by"],
        requested_at=m["requested_at"],
        dry_run_id=int(m["dry_run_id"]),
        fingerprint=m["fingerprint"],
        totals=dict(m["totals"] or {}),
        decided_by=m["decided_by"],
        decided_at=m["decided_at"],
        reason=m["reason"],
        dry_run_by=dry_by,
        consumed_run_id=None if m["consumed_run_id"] is None else int(m["consumed_run_id"]),
    )
    if m["consumed_at"] is not None:
        state.status = "consumed"
    elif m["decision"] == "rejected":
        state.status = "rejected"
    else:
        state.why_void = _why_void(conn, state, ev.stage, ev.claims_fingerprint)
        if state.why_void is not None:
            state.status = "void"
        else:
            state.status = "approved" if m["decision"] == "approved" else "requested"
    return state


def approval_state(engine: Engine, event_id: str) -> ApprovalState | None:
    """The event's latest Final Run request with its status; None when none was made.
    NotFoundError for an unknown event."""
    with unit_of_work(engine, write=False) as uow:
        return _state(uow.conn, event_id)


def _totals(document: dict[str, Any], status: str) -> dict[str, Any]:
    counts = document.get("counts") or {}
    payees = counts.get("payees") or {}
    paid = (document.get("totals") or {}).get("paid", "0.00")
    return {
        "claims": int(counts.get("claims", 0)),
        "payees": int(payees.get("total", 0)) if isinstance(payees, dict) else 0,
        "net_pay_cents": parse_cents(paid),
        "dry_run_status": status,
    }


def request_final(engine: Engine, principal: Principal, event_id: str) -> ApprovalState:
    """Request a Final Run of the event's latest Dry Run (module docstring); RunRefusedError
    naming what is missing otherwise."""
    require(principal, Action.REQUEST_FINAL)
    with unit_of_work(engine) as uow:
        conn = uow.conn
        ev = _event(conn, event_id)
        if ev.stage == "Final":
            raise RunRefusedError(f"payment event {event_id} is already Final; nothing to request")
        dry = _latest_dry_run(conn, event_id)
        if dry is None or ev.stage != "DryRun" or not ev.claims_fingerprint:
            raise RunRefusedError(
                f"payment event {event_id} has no Dry Run done here to approve: run a Dry Run "
                f"first (paymentprocess run -m dry-run -p {event_id})"
            )
        if dry.status not in REQUESTABLE:
            raise RunRefusedError(
                f"the latest Dry Run of {event_id} (run {dry.run_id}) is {dry.status}: run a "
                "Dry Run again"
            )
        current = _state(conn, event_id)
        if current is not None and current.dry_run_id == int(dry.run_id):
            if current.status in ("requested", "approved"):
                raise RunRefusedError(
                    f"a Final Run of {event_id} was already requested for Dry Run {dry.run_id} "
                    f"(request {current.request_id}, {current.status})"
                )
            if current.status == "rejected":
                raise RunRefusedError(
                    f"the Final Run request {current.request_id} for Dry Run {dry.run_id} was "
                    f"rejected by {current.decided_by}: {current.reason}. Fix what it names, "
                    "run a Dry Run again, then request again"
                )
        document = conn.execute(
            select(payment_event_stats.c.document).where(payment_event_stats.c.run_id == dry.run_id)
        ).scalar_one()
        totals = _totals(document, dry.status)
        request_id = conn.execute(
            insert(final_run_request)
            .values(
                payment_event_id=event_id,
                dry_run_id=int(dry.run_id),
                fingerprint=ev.claims_fingerprint,
                totals=totals,
                requested_by=principal.name,
                requested_at=utcnow(),
            )
            .returning(final_run_request.c.request_id)
        ).scalar_one()
        record(
            conn,
            principal,
            "final_run_requested",
            event_id=event_id,
            run_id=int(dry.run_id),
            detail={
                "request_id": int(request_id),
                "fingerprint": ev.claims_fingerprint,
                "totals": totals,
            },
        )
        state = _state(conn, event_id)
        uow.commit()
    assert state is not None
    return state


def _not_open(state: ApprovalState) -> str:
    if state.status == "approved":
        return f"it was already approved by {state.decided_by}"
    if state.status == "rejected":
        return f"it was rejected by {state.decided_by}: {state.reason}"
    if state.status == "consumed":
        return f"it was used by the Final Run {state.consumed_run_id}"
    return f"it is void: {state.why_void}; run a Dry Run again and request a new Final Run"


def _decide(
    engine: Engine, principal: Principal, event_id: str, decision: str, reason: str | None
) -> ApprovalState:
    require(principal, Action.APPROVE)
    verb = "approve" if decision == "approved" else "reject"
    with unit_of_work(engine) as uow:
        conn = uow.conn
        state = _state(conn, event_id)
        if state is None:
            raise RunRefusedError(
                f"no Final Run of {event_id} was requested: an operator requests it first "
                f"(paymentprocess event request-final {event_id})"
            )
        if state.status != "requested":
            raise RunRefusedError(
                f"the Final Run request {state.request_id} of {event_id} cannot be decided: "
                + _not_open(state)
            )
        if principal.name in (state.requested_by, state.dry_run_by):
            did = (
                "requested this Final Run"
                if principal.name == state.requested_by
                else (f"started Dry Run {state.dry_run_id}")
            )
            raise AccessDeniedError(
                f"user {principal.name!r} {did} and may not {verb} it: another approver "
                "decides (maker-checker)"
            )
        if decision == "approved":
            now = claims_fingerprint(conn, event_id)
            if now != state.fingerprint:
                raise RunRefusedError(
                    f"the claims of {event_id} changed since Dry Run {state.dry_run_id} "
                    "(their fingerprint differs): the request cannot be approved; run a Dry Run "
                    "again and request a new Final Run"
                )
        try:
            conn.execute(
                insert(final_run_decision).values(
                    request_id=state.request_id,
                    decision=decision,
                    decided_by=principal.name,
                    decided_at=utcnow(),
                    reason=reason,
                )
            )
        except IntegrityError:
            raise RunRefusedError(
                f"the Final Run request {state.request_id} of {event_id} was decided by "
                "another approver meanwhile"
            ) from None
        record(
            conn,
            principal,
            f"final_run_{decision}",
            event_id=event_id,
            run_id=state.dry_run_id,
            detail={
                "request_id": state.request_id,
                "fingerprint": state.fingerprint,
                "totals": state.totals,
                **({"reason": reason} if reason else {}),
            },
        )
        decided = _state(conn, event_id)
        uow.commit()
    assert decided is not None
    return decided


def approve(engine: Engine, principal: Principal, event_id: str) -> ApprovalState:
    """Approve the event's requested Final Run (module docstring for who may, and when)."""
    return _decide(engine, principal, event_id, "approved", None)


def reject(engine: Engine, principal: Principal, event_id: str, reason: str) -> ApprovalState:
    """Reject the event's requested Final Run, with a reason (it can then never be run)."""
    reason = (reason or "").strip()
    if not reason:
        raise RunRefusedError("a rejection needs a reason (--reason TEXT)")
    return _decide(engine, principal, event_id, "rejected", reason[:2000])


def approval_for_final_run(conn: Connection, event_id: str) -> ApprovalState:
    """The approved request a Final Run of `event_id` may use now, inside the run's transaction;
    RunRefusedError saying what is missing otherwise (nothing changed)."""
    state = _state(conn, event_id)
    lead = f"a Final Run of {event_id} needs an approval (PAYMENT_REQUIRE_APPROVAL)"
    if state is None or state.status == "consumed":
        raise RunRefusedError(
            f"{lead}: no Final Run was requested since the latest Dry Run. An operator requests "
            f"it (paymentprocess event request-final {event_id}), then an approver approves it "
            f"(paymentprocess event approve {event_id}); nothing changed"
        )
    if state.status == "requested":
        raise RunRefusedError(
            f"{lead}: request {state.request_id} (by {state.requested_by}) waits for an "
            f"approver (paymentprocess event approve {event_id}); nothing changed"
        )
    if state.status == "rejected":
        raise RunRefusedError(
            f"{lead}: request {state.request_id} was rejected by {state.decided_by}: "
            f"{state.reason}. Run a Dry Run again and request a new Final Run; nothing changed"
        )
    if state.status == "void":
        raise RunRefusedError(
            f"{lead}: the approval of request {state.request_id} is void ({state.why_void}). "
            "Request a new Final Run of the latest Dry Run; nothing changed"
        )
    return state


def consume(conn: Connection, state: ApprovalState, run_id: int) -> None:
    """Mark the approved request used by Final Run `run_id` (in the run's transaction)."""
    conn.execute(
        update(final_run_request)
        .where(final_run_request.c.request_id == state.request_id)
        .values(consumed_at=utcnow(), consumed_run_id=run_id)
    )
