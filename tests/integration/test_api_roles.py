"""Every role against every route: allowed or refused (403) exactly as the role table
(domain.roles.ALLOWED) says; no key or an old PAYMENT_API_KEYS key is a 401 once users exist;
a viewer reads member identities masked (both databases)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.golden import builders as b
from tests.integration.test_api_support import api_client, claim

from paymentprocess.domain.roles import ALLOWED, Action, Role
from paymentprocess.io.load import load_documents
from paymentprocess.service.access import users
from paymentprocess.service.access.users import add_user

EVENT = "PE-1"
NEW_EVENT = {
    "payment_event_id": "PE-NEW",
    "event_type": "Provider",
    "payment_due_date": "2025-07-01",
    "funding_source_id": "FS1",
}

# (method, path, body, the actions any of which allows it)
ROUTES: list[tuple[str, str, Any, tuple[Action, ...]]] = [
    ("POST", "/claims", claim(), (Action.SUBMIT_CLAIMS,)),
    ("GET", "/claims/{claim_id}", None, (Action.READ,)),
    ("GET", "/claims?provider_npi=1497775530", None, (Action.READ,)),
    ("GET", "/providers/top", None, (Action.READ,)),
    ("POST", "/payment-events", NEW_EVENT, (Action.CREATE_EVENT,)),
    ("POST", f"/payment-events/{EVENT}/runs", {"mode": "dry-run"}, (Action.DRY_RUN,)),
    ("POST", f"/payment-events/{EVENT}/runs", {"mode": "final"}, (Action.FINAL_RUN,)),
    ("GET", f"/payment-events/{EVENT}/runs/nojob", None, (Action.READ,)),
    ("GET", f"/payment-events/{EVENT}/stats", None, (Action.READ,)),
    ("POST", f"/payment-events/{EVENT}/outputs", None, (Action.GENERATE_OUTPUTS,)),
    ("GET", f"/payment-events/{EVENT}/outputs", None, (Action.READ,)),
    ("GET", f"/payment-events/{EVENT}/outputs/1", None, (Action.DOWNLOAD_OUTPUTS,)),
    ("POST", f"/payment-events/{EVENT}/final-run-request", None, (Action.REQUEST_FINAL,)),
    ("POST", f"/payment-events/{EVENT}/approval", None, (Action.APPROVE,)),
    ("POST", f"/payment-events/{EVENT}/rejection", {"reason": "no"}, (Action.APPROVE,)),
    ("GET", f"/payment-events/{EVENT}/approval", None, (Action.READ,)),
    ("GET", "/audit", None, (Action.MANAGE_USERS, Action.APPROVE)),
]


class _Runner:
    """Stands in for the run itself: this test is about who may start one, not the run."""

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        return type("Outcome", (), {"exit_code": 0, "run_id": None, "message": "ok"})()


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper scrypt for these tests' keys (the cost is stored with each hash and verified)."""
    monkeypatch.setattr(users, "SCRYPT_N", 2**10)


@pytest.fixture
def team(engine: Engine, fast_scrypt: None) -> dict[Role, str]:
    d = b.cycle(minimum="5.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("120.00"))]
    load_documents(engine, d)
    admin, admin_key = add_user(engine, "ada", "admin")
    keys = {Role.ADMIN: admin_key}
    for role in (Role.VIEWER, Role.OPERATOR, Role.APPROVER):
        keys[role] = add_user(engine, f"u-{role.value}", role, admin.principal)[1]
    return keys


@pytest.fixture
def client(db_uri: str, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with api_client(db_uri, engine=engine, output_dir=tmp_path, api_keys="old-key") as c:
        c.app.state.run_payment_event = _Runner()  # type: ignore[attr-defined]
        yield c


def _call(client: TestClient, method: str, path: str, body: Any, key: str | None) -> Any:
    headers = {"X-API-Key": key} if key else {}
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("role", list(Role))
def test_every_route_allows_or_refuses_the_role_as_the_table_says(
    role: Role, team: dict[Role, str], client: TestClient
) -> None:
    created = _call(client, "POST", "/claims", claim(), team[Role.OPERATOR])
    assert created.status_code == 201, created.text
    claim_id = created.json()["claim_id"]
    wrong = []
    for method, path, body, actions in ROUTES:
        allowed = any(role in ALLOWED[a] for a in actions)
        resp = _call(client, method, path.format(claim_id=claim_id), body, team[role])
        refused = resp.status_code == 403
        assert resp.status_code < 500, (method, path, resp.text)
        if refused == allowed or resp.status_code == 401:
            wrong.append((method, path, resp.status_code, resp.text[:120]))
    assert wrong == []


def test_no_key_or_an_old_key_is_refused_once_users_exist(
    team: dict[Role, str], client: TestClient
) -> None:
    for method, path, body, _ in ROUTES:
        missing = _call(client, method, path.format(claim_id="C1"), body, None)
        assert missing.status_code == 401, (method, path, missing.text)
    old = _call(client, "GET", "/providers/top", None, "old-key")
    assert old.status_code == 401
    assert "keys moved to users" in old.text
    assert "users add NAME --role operator" in old.text
    assert old.headers["www-authenticate"] == "Bearer"
    bogus = _call(client, "GET", "/providers/top", None, "pp_000000000000_" + "x" * 43)
    assert bogus.status_code == 401
    assert client.get("/health").status_code == 200


def test_a_viewer_reads_member_identities_masked(team: dict[Role, str], client: TestClient) -> None:
    created = _call(client, "POST", "/claims", claim(), team[Role.OPERATOR]).json()
    path = f"/claims/{created['claim_id']}"
    seen = _call(client, "GET", path, None, team[Role.VIEWER]).json()
    full = _call(client, "GET", path, None, team[Role.OPERATOR]).json()
    assert full["subscriber_number"] == "3730189502"
    assert seen["subscriber_number"] == "***"
    assert {k: v for k, v in seen.items() if k != "subscriber_number"} == {
        k: v for k, v in full.items() if k != "subscriber_number"
    }
    page = _call(client, "GET", "/claims?provider_npi=1497775530", None, team[Role.VIEWER])
    assert [c["subscriber_number"] for c in page.json()["claims"]] == ["***"]


def test_without_users_the_old_api_keys_behaviour_stays(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri, engine=engine, api_keys="old-key") as c:
        assert c.post("/claims", json=claim()).status_code == 401
        assert c.post("/claims", json=claim(), headers={"X-API-Key": "old-key"}).status_code == 201
        assert c.get("/providers/top").status_code == 200  # reads need no key, as before


def test_the_approval_flow_over_http(team: dict[Role, str], client: TestClient) -> None:
    from paymentprocess.service.runs import run_payment_event

    client.app.state.run_payment_event = run_payment_event  # type: ignore[attr-defined]
    op, ap = team[Role.OPERATOR], team[Role.APPROVER]

    def wait(resp: Any) -> dict[str, Any]:
        assert resp.status_code == 202, resp.text
        for _ in range(400):
            job: dict[str, Any] = _call(client, "GET", resp.headers["location"], None, op).json()
            if job["state"] in ("done", "failed"):
                return job
            time.sleep(0.02)
        raise AssertionError("the run did not finish")

    runs = f"/payment-events/{EVENT}/runs"
    assert wait(_call(client, "POST", runs, {"mode": "dry-run"}, op))["exit_code"] == 0
    refused = wait(_call(client, "POST", runs, {"mode": "final", "force": True}, op))
    assert refused["exit_code"] == 1
    assert "needs an approval" in refused["message"]
    requested = _call(client, "POST", f"/payment-events/{EVENT}/final-run-request", None, op)
    assert requested.status_code == 201
    assert requested.json()["status"] == "requested"
    own = _call(client, "POST", f"/payment-events/{EVENT}/approval", None, op)
    assert own.status_code == 403
    approved = _call(client, "POST", f"/payment-events/{EVENT}/approval", None, ap)
    assert approved.status_code == 200
    assert approved.json()["decided_by"] == "u-approver"
    again = _call(client, "POST", f"/payment-events/{EVENT}/approval", None, ap)
    assert again.status_code == 409
    assert "already approved" in again.text
    assert wait(_call(client, "POST", runs, {"mode": "final"}, ap))["exit_code"] == 0
    state = _call(client, "GET", f"/payment-events/{EVENT}/approval", None, team[Role.VIEWER])
    assert state.json()["status"] == "consumed"
    trail = _call(client, "GET", f"/audit?payment_event_id={EVENT}", None, team[Role.ADMIN])
    assert [e["action"] for e in trail.json()["entries"]] == [
        "final_run",
        "final_run_approved",
        "final_run_requested",
        "dry_run",
    ]


def test_keys_never_reach_the_logs_of_the_api(team: dict[Role, str], client: TestClient) -> None:
    with structlog.testing.capture_logs() as logs:
        for key in team.values():
            _call(client, "GET", "/providers/top", None, key)
            _call(client, "POST", "/claims", claim(), key)
            client.get("/providers/top", headers={"Authorization": f"Bearer {key}x"})
        _call(client, "GET", "/providers/top", None, "old-key")
    assert logs  # the access log did log these requests
    said = repr(logs)
    for key in team.values():
        assert key.split("_", 2)[2] not in said
    assert "old-key" not in said
