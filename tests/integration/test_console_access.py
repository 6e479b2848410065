"""The console's security on both databases: a CSRF token on every POST, the session cookie's
flags, login required once users exist, each role's actions (checked in the service layer, not
only hidden), maker-checker through the pages, and a viewer who never sees a member identity or
a bank number (the database's actual values are looked for in every page it can open)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.integration.console_support import (
    by_testid,
    console_client,
    csrf_of,
    login,
    post,
    wait_for_job,
)

from paymentprocess.domain.roles import Role
from paymentprocess.service.access.users import add_user, authenticate
from paymentprocess.service.approvals import approval_state
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

ACTIONS = ("dry-run", "final-run", "request-final", "approve", "reject")


def _stage(engine: Engine, event: str) -> str:
    ev = t.payment_event
    with engine.connect() as conn:
        return str(
            conn.execute(select(ev.c.stage).where(ev.c.payment_event_id == event)).scalar_one()
        )


def _jobs(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.run_job)).scalar_one())


def test_every_post_needs_its_csrf_token(db_uri: str, engine: Engine) -> None:
    generate_cycle(engine, claims=200, seed=5, event_id="PE-X")
    assert run_payment_event(engine, "PE-X", "dry-run").exit_code == 0
    with console_client(db_uri, engine) as client:
        page = client.get("/console/events/PE-X")
        token = csrf_of(page.text)
        cookie = page.headers["set-cookie"]
        for path in [*(f"/console/events/PE-X/{a}" for a in ACTIONS), "/console/logout"]:
            missing = client.post(path, data={"reason": "r"}, follow_redirects=False)
            wrong = post(client, path, token[:-1] + ("A" if token[-1] != "A" else "B"), reason="r")
            assert (missing.status_code, wrong.status_code) == (403, 403), path
            assert "CSRF" in by_testid(missing.text, "error-message")
        assert _jobs(engine) == 0
        assert approval_state(engine, "PE-X") is None
        assert _stage(engine, "PE-X") == "DryRun"
        bad_login = client.post("/console/login", data={"name": "x", "key": "y"})
        assert bad_login.status_code == 403
        by_header = client.post(
            "/console/events/PE-X/request-final",
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
            follow_redirects=False,
        )
        assert by_header.status_code == 303  # htmx sends the token in a header
    assert approval_state(engine, "PE-X") is not None
    assert "pp_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "samesite=strict" in cookie.lower()


def _secrets_of(engine: Engine) -> list[str]:
    """Every member id, member name and bank number in the database."""
    pc, c = t.payment_center, t.claim_fin_core
    with engine.connect() as conn:
        values = set(conn.scalars(select(pc.c.member_id)))
        values |= set(conn.scalars(select(pc.c.bank_account_number)))
        values |= set(conn.scalars(select(c.c.member_id)))
        values |= set(
            conn.scalars(select(pc.c.vendor_name).where(pc.c.payment_center_type == "Member"))
        )
    return sorted(v for v in values if v)


def _viewer_pages(client: TestClient, event: str) -> list[str]:
    pages = [client.get("/console").text, client.get(f"/console/events/{event}").text]
    url = f"/console/events/{event}/payees"
    refs: list[str] = []
    while url:
        text = client.get(url).text
        pages.append(text)
        refs += re.findall(rf'href="/console/events/{event}/payees/([^"]+)"', text)
        nxt = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#payees"', text)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
    pages += [client.get(f"/console/events/{event}/payees/{ref}").text for ref in set(refs)]
    codes = re.findall(r"findings\?code=([A-Z_]+)", pages[1])
    pages += [client.get(f"/console/events/{event}/findings?code={code}").text for code in codes]
    run = re.search(rf"/console/events/{event}/runs/(\d+)/report.html", pages[1])
    assert run is not None
    pages.append(client.get(f"/console/events/{event}/runs/{run.group(1)}/report.html").text)
    return pages


def _session_cookie(response: Any) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith("pp_session="))


def test_roles_sessions_and_maker_checker(db_uri: str, engine: Engine) -> None:
    generate_cycle(engine, claims=200, seed=7, event_id="PE-D", event_type="DMR")
    assert run_payment_event(engine, "PE-D", "dry-run").exit_code == 0
    _admin, admin_key = add_user(engine, "root", Role.ADMIN)  # the first user is an admin
    admin = authenticate(engine, admin_key)
    _viewer, viewer_key = add_user(engine, "vera", Role.VIEWER, admin)
    _operator, operator_key = add_user(engine, "otto", Role.OPERATOR, admin)
    _approver, approver_key = add_user(engine, "anna", Role.APPROVER, admin)
    hidden = _secrets_of(engine)
    assert len(hidden) > 20
    with console_client(db_uri, engine) as client:
        for path in ("/console", "/console/events/PE-D", "/console/events/PE-D/payees"):
            answer = client.get(path, follow_redirects=False)
            assert (answer.status_code, answer.headers["location"]) == (303, "/console/login")
        htmx = client.get("/console/events/PE-D", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"] == "/console/login"
        wrong = login(client, "vera", operator_key)
        assert wrong.status_code == 401
        assert "pp_session" not in client.cookies

        first = login(client, "vera", viewer_key)
        assert (first.status_code, first.headers["location"]) == (303, "/console")
        cookie = _session_cookie(first)
        assert all(flag in cookie for flag in ("Secure", "HttpOnly", "Path=/console"))
        assert "samesite=strict" in cookie.lower()
        old_token = client.cookies["pp_session"]
        again = login(client, "vera", viewer_key)
        assert client.cookies["pp_session"] != old_token  # a new session at every login
        assert again.status_code == 303

        pages = _viewer_pages(client, "PE-D")
        for text in pages:
            assert "(hidden)" in text or "payee-member" not in text
            for value in hidden:
                assert value not in text, f"a viewer's page shows {value!r}"
        page = client.get("/console/events/PE-D").text
        for button in ("action-dry-run", "action-request-final", "action-final-run"):
            assert f'data-testid="{button}"' not in page
        token = csrf_of(page)
        refused = post(client, "/console/events/PE-D/dry-run", token)
        assert refused.status_code == 403
        assert "vera" in by_testid(refused.text, "error-message")
        assert post(client, "/console/events/PE-D/request-final", token).status_code == 403
        assert _jobs(engine) == 0

        assert login(client, "otto", operator_key).status_code == 303
        page = client.get("/console/events/PE-D").text
        assert by_testid(page, "user-name").startswith("otto")
        ran = post(client, "/console/events/PE-D/dry-run", csrf_of(page))
        assert wait_for_job(engine, "PE-D", ran.headers["location"])["exit_code"] == 0
        requested = post(client, "/console/events/PE-D/request-final", csrf_of(page))
        assert requested.status_code == 303
        page = client.get("/console/events/PE-D").text
        assert 'data-status="requested"' in page
        assert 'data-testid="action-approve"' not in page
        assert post(client, "/console/events/PE-D/approve", csrf_of(page)).status_code == 403
        member_page = client.get("/console/events/PE-D/payees?sort=payment_center_id").text
        assert any(value in member_page for value in hidden)  # an operator reads identities

        assert login(client, "anna", approver_key).status_code == 303
        page = client.get("/console/events/PE-D").text
        assert 'data-testid="action-approve"' in page
        assert 'data-testid="action-reject"' in page
        token = csrf_of(page)
        assert post(client, "/console/events/PE-D/reject", token, reason=" ").status_code == 400
        assert (
            post(client, "/console/events/PE-D/reject", token, reason="totals off").status_code
            == 303
        )
        assert approval_state(engine, "PE-D").status == "rejected"  # type: ignore[union-attr]

        assert login(client, "otto", operator_key).status_code == 303
        page = client.get("/console/events/PE-D").text
        assert 'data-testid="action-final-run"' not in page  # a rejected request cannot run
        assert 'data-testid="action-request-final"' not in page  # not for the same Dry Run
        assert post(client, "/console/events/PE-D/request-final", csrf_of(page)).status_code == 409
        again = post(client, "/console/events/PE-D/dry-run", csrf_of(page))
        assert wait_for_job(engine, "PE-D", again.headers["location"])["exit_code"] == 0
        page = client.get("/console/events/PE-D").text
        assert 'data-testid="action-request-final"' in page
        assert post(client, "/console/events/PE-D/request-final", csrf_of(page)).status_code == 303
        assert login(client, "anna", approver_key).status_code == 303
        page = client.get("/console/events/PE-D").text
        assert post(client, "/console/events/PE-D/approve", csrf_of(page)).status_code == 303
        page = client.get("/console/events/PE-D").text
        assert 'data-status="approved"' in page
        assert 'data-testid="action-final-run"' in page

        assert login(client, "otto", operator_key).status_code == 303
        page = client.get("/console/events/PE-D").text
        final = post(client, "/console/events/PE-D/final-run", csrf_of(page))
        assert wait_for_job(engine, "PE-D", final.headers["location"])["exit_code"] == 0
        page = client.get("/console/events/PE-D").text
        assert by_testid(page, "stage-badge") == "Final"

        out = post(client, "/console/logout", csrf_of(page))
        assert (out.status_code, out.headers["location"]) == (303, "/console/login")
        assert client.get("/console", follow_redirects=False).status_code == 303


def test_an_empty_database_and_insecure_cookies_for_local_http(db_uri: str, engine: Engine) -> None:
    with console_client(db_uri, engine, console_insecure_cookies=True) as client:
        listing = client.get("/console")
        missing = client.get("/console/events/NOPE")
        login_page = client.get("/console/login")
    assert listing.status_code == 200
    assert "No payment events match." in listing.text
    assert missing.status_code == 404
    assert "NOPE" in by_testid(missing.text, "error-message")
    assert "works without logging in" in login_page.text
    cookie = listing.headers["set-cookie"]
    assert "pp_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie
