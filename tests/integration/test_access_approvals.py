"""Users, keys, maker-checker approvals and the audit log through the service layer (both
databases): a changed fingerprint voids an approval, two approvers racing decide once, the same
operator cannot approve, a rejected request cannot be run, audit rows cannot be changed, keys
never reach the logs."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import structlog
from sqlalchemy import Engine, text, update
from tests.golden import builders as b

from paymentprocess.domain.roles import Role
from paymentprocess.errors import AccessDeniedError, AuthenticationError, RunRefusedError
from paymentprocess.io.load import load_documents
from paymentprocess.service import approvals, audit
from paymentprocess.service.access import LOCAL, Principal
from paymentprocess.service.access.sessions import (
    TooManyLoginsError,
    end_session,
    session_principal,
    start_session,
)
from paymentprocess.service.access.users import (
    add_user,
    authenticate,
    disable_user,
    list_users,
    rotate_key,
    users_exist,
)
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t

EVENT = "PE-1"


def _docs() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle(minimum="5.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim("C1", b.line("120.00")),
        b.claim("C2", b.line("7.50"), tax=b.TIN_B, npi=b.NPI_B),
    ]
    return d


def _team(engine: Engine) -> dict[str, tuple[Principal, str]]:
    admin, admin_key = add_user(engine, "ada", "admin")
    team = {"admin": (admin.principal, admin_key)}
    for name, role in (("oli", "operator"), ("april", "approver"), ("abe", "approver")):
        row, key = add_user(engine, name, role, admin.principal)
        team[name] = (row.principal, key)
    return team


def _dry(engine: Engine, who: Principal) -> None:
    assert run_payment_event(engine, EVENT, "dry-run", principal=who).exit_code == 0


def test_first_user_is_an_admin_and_keys_authenticate(engine: Engine) -> None:
    assert not users_exist(engine)
    assert authenticate(engine, None) is LOCAL
    with pytest.raises(AccessDeniedError, match="first user of a database must be an admin"):
        add_user(engine, "oli", "operator")
    team = _team(engine)
    assert users_exist(engine)
    oli, key = team["oli"]
    assert key.startswith("pp_")
    assert authenticate(engine, key) == oli
    with pytest.raises(AuthenticationError, match="--key"):
        authenticate(engine, None)
    with pytest.raises(AccessDeniedError, match="admin's key"):
        add_user(engine, "eve", "admin")
    with pytest.raises(AccessDeniedError, match="may not manage_users"):
        add_user(engine, "eve", "admin", oli)
    assert [(u.name, u.role) for u in list_users(engine)] == [
        ("abe", Role.APPROVER),
        ("ada", Role.ADMIN),
        ("april", Role.APPROVER),
        ("oli", Role.OPERATOR),
    ]
    with engine.connect() as conn:  # only a hash is stored, never the key or its secret
        stored = conn.execute(text("SELECT key_hash FROM app_user WHERE name = 'oli'")).scalar()
    assert stored.startswith("scrypt$")
    assert key.split("_", 2)[2] not in stored
    new_key = rotate_key(engine, oli, "oli")  # a user may rotate their own key
    with pytest.raises(AuthenticationError, match="not valid"):
        authenticate(engine, key)
    assert authenticate(engine, new_key) == oli
    disable_user(engine, team["admin"][0], "oli")
    with pytest.raises(AuthenticationError, match="not valid"):
        authenticate(engine, new_key)
    with pytest.raises(AccessDeniedError, match="last enabled admin"):
        disable_user(engine, team["admin"][0], "ada")


def test_maker_checker_approval_then_final_run(engine: Engine) -> None:
    load_documents(engine, _docs())
    team = _team(engine)
    oli, april = team["oli"][0], team["april"][0]
    assert approvals.approval_required(engine)
    with pytest.raises(AccessDeniedError, match="may not dry_run"):
        run_payment_event(engine, EVENT, "dry-run", principal=april)
    _dry(engine, oli)
    refused = run_payment_event(engine, EVENT, "final", principal=oli, force=True)
    assert refused.exit_code == 1
    assert "no Final Run was requested" in refused.message
    with pytest.raises(AccessDeniedError, match="may not request_final"):
        approvals.request_final(engine, april, EVENT)
    state = approvals.request_final(engine, oli, EVENT)
    assert state.status == "requested"
    assert state.totals["claims"] == 2
    assert state.totals["net_pay_cents"] > 0
    assert state.requested_by == "oli"
    with pytest.raises(RunRefusedError, match="already requested"):
        approvals.request_final(engine, oli, EVENT)
    waiting = run_payment_event(engine, EVENT, "final", principal=oli)
    assert waiting.exit_code == 1
    assert "waits for an approver" in waiting.message
    with pytest.raises(AccessDeniedError, match="may not approve"):
        approvals.approve(engine, oli, EVENT)  # operators have no APPROVE at all
    approved = approvals.approve(engine, april, EVENT)
    assert (approved.status, approved.decided_by) == ("approved", "april")
    done = run_payment_event(engine, EVENT, "final", principal=oli)
    assert done.exit_code == 0, done.message
    final = approvals.approval_state(engine, EVENT)
    assert final is not None
    assert (final.status, final.consumed_run_id) == ("consumed", done.run_id)
    with engine.connect() as conn:
        by = conn.execute(
            text("SELECT mode, started_by FROM payment_event_stats ORDER BY run_id")
        ).all()
    assert [tuple(r) for r in by] == [("dry-run", "oli"), ("final", "oli")]
    actions = [(e.action, e.user) for e in reversed(audit.entries(engine, event_id=EVENT))]
    assert actions == [
        ("dry_run", "oli"),
        ("final_run_requested", "oli"),
        ("final_run_approved", "april"),
        ("final_run", "oli"),
    ]
    final_entry = audit.entries(engine, event_id=EVENT)[0]
    assert final_entry.detail["approved_by"] == "april"
    assert final_entry.detail["fingerprint"] == approved.fingerprint


def test_an_approver_who_ran_the_dry_run_or_requested_may_not_approve(engine: Engine) -> None:
    load_documents(engine, _docs())
    admin, _ = add_user(engine, "ada", "admin")
    oli, _ = add_user(engine, "oli", "operator", admin.principal)
    _dry(engine, oli.principal)
    approvals.request_final(engine, oli.principal, EVENT)
    # The same person holding the approver role (e.g. as a principal of their own name) is
    # refused: the maker is checked by name against the requester and the Dry Run's runner.
    as_approver = Principal(oli.user_id, "oli", Role.APPROVER)
    with pytest.raises(AccessDeniedError, match=r"requested this Final Run.*maker-checker"):
        approvals.approve(engine, as_approver, EVENT)
    with pytest.raises(AccessDeniedError, match="maker-checker"):
        approvals.reject(engine, as_approver, EVENT, "mine")


def test_an_approval_for_changed_claims_is_refused_and_voided(engine: Engine) -> None:
    load_documents(engine, _docs())
    team = _team(engine)
    oli, april = team["oli"][0], team["april"][0]
    _dry(engine, oli)
    approvals.request_final(engine, oli, EVENT)
    with engine.begin() as conn:  # the claims change after the Dry Run
        conn.execute(
            update(t.service_line)
            .where(t.service_line.c.line_number == 1)
            .values(allowed_amount=t.service_line.c.allowed_amount + 100)
        )
    with pytest.raises(RunRefusedError, match="changed since Dry Run"):
        approvals.approve(engine, april, EVENT)
    # Approved first, changed afterwards: the Final Run refuses, even with --force.
    _dry(engine, oli)
    approvals.request_final(engine, oli, EVENT)
    approvals.approve(engine, april, EVENT)
    with engine.begin() as conn:
        conn.execute(
            update(t.service_line)
            .where(t.service_line.c.line_number == 1)
            .values(allowed_amount=t.service_line.c.allowed_amount + 100)
        )
    forced = run_payment_event(engine, EVENT, "final", principal=oli, force=True)
    assert forced.exit_code == 1
    assert "--force does not replace an approval" in forced.message
    # A new Dry Run voids the approval of the previous one.
    _dry(engine, oli)
    state = approvals.approval_state(engine, EVENT)
    assert state is not None
    assert state.status == "void"
    assert "latest Dry Run" in str(state.why_void)
    void = run_payment_event(engine, EVENT, "final", principal=oli)
    assert void.exit_code == 1
    assert "void" in void.message
    with engine.connect() as conn:
        stage = conn.execute(text("SELECT stage FROM payment_event")).scalar()
    assert stage == "DryRun"


def test_a_rejected_request_cannot_be_run(engine: Engine) -> None:
    load_documents(engine, _docs())
    team = _team(engine)
    oli, april, abe = team["oli"][0], team["april"][0], team["abe"][0]
    _dry(engine, oli)
    approvals.request_final(engine, oli, EVENT)
    with pytest.raises(RunRefusedError, match="needs a reason"):
        approvals.reject(engine, april, EVENT, "  ")
    rejected = approvals.reject(engine, april, EVENT, "interest looks wrong")
    assert (rejected.status, rejected.reason) == ("rejected", "interest looks wrong")
    with pytest.raises(RunRefusedError, match="rejected by april"):
        approvals.approve(engine, abe, EVENT)
    refused = run_payment_event(engine, EVENT, "final", principal=oli, force=True)
    assert refused.exit_code == 1
    assert "rejected by april: interest looks wrong" in refused.message
    with pytest.raises(RunRefusedError, match="rejected"):
        approvals.request_final(engine, oli, EVENT)
    _dry(engine, oli)  # after a new Dry Run a new request can be made and approved
    assert approvals.request_final(engine, oli, EVENT).status == "requested"
    assert approvals.approve(engine, abe, EVENT).status == "approved"


def test_two_approvers_racing_approve_once(engine: Engine) -> None:
    load_documents(engine, _docs())
    team = _team(engine)
    _dry(engine, team["oli"][0])
    approvals.request_final(engine, team["oli"][0], EVENT)
    start = threading.Barrier(2)
    results: list[str] = []

    def decide(who: Principal) -> None:
        start.wait()
        try:
            results.append(approvals.approve(engine, who, EVENT).decided_by or "")
        except RunRefusedError as exc:
            results.append(f"refused: {exc}")

    threads = [threading.Thread(target=decide, args=(team[n][0],)) for n in ("april", "abe")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(results) == 2
    winners = [r for r in results if not r.startswith("refused")]
    assert len(winners) == 1
    assert winners[0] in ("april", "abe")
    assert any("already approved" in r or "meanwhile" in r for r in results)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM final_run_decision")).scalar() == 1


def test_audit_rows_cannot_be_updated_or_deleted(engine: Engine) -> None:
    add_user(engine, "ada", "admin")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_log")).scalars().all() == ["user_added"]


def test_sessions_are_new_at_login_expire_and_rate_limit(engine: Engine) -> None:
    team = _team(engine)
    key = team["oli"][1]
    token, csrf, who = start_session(engine, "oli", key, "10.0.0.1")
    again, csrf2, _ = start_session(engine, "oli", key, "10.0.0.1")
    assert who.name == "oli"
    assert token != again
    assert csrf != csrf2
    assert session_principal(engine, token) == (who, csrf)
    end_session(engine, token)
    assert session_principal(engine, token) is None
    with engine.begin() as conn:
        conn.execute(update(t.console_session).values(expires_at=t.console_session.c.created_at))
    assert session_principal(engine, again) is None  # expired
    for _ in range(5):
        with pytest.raises(AuthenticationError, match="do not match"):
            start_session(engine, "oli", team["april"][1], "10.0.0.2")
    with pytest.raises(TooManyLoginsError, match="too many failed logins"):
        start_session(engine, "oli", key, "10.0.0.2")
    assert start_session(engine, "oli", key, "10.0.0.3")[2] == who  # another client may


def test_keys_never_reach_the_logs(engine: Engine) -> None:
    load_documents(engine, _docs())
    with structlog.testing.capture_logs() as logs:
        team = _team(engine)
        for _, key in team.values():
            authenticate(engine, key)
        start_session(engine, "oli", team["oli"][1], "c")
        _dry(engine, team["oli"][0])
        with pytest.raises(AuthenticationError):
            start_session(engine, "oli", team["oli"][1] + "x", "c")
    text_of_logs = repr(logs)
    for _, key in team.values():
        assert key not in text_of_logs
        assert key.split("_", 2)[2] not in text_of_logs
    with engine.connect() as conn:
        audit_text = repr(conn.execute(text("SELECT * FROM audit_log")).all())
    for _, key in team.values():
        assert key.split("_", 2)[2] not in audit_text
