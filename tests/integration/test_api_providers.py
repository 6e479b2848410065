"""GET /providers/top: the exact ranking equals a GROUP BY over stored claims; rate limiting, in
one process and shared through Redis by several instances (or falling back when Redis is down)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from structlog.testing import capture_logs
from tests.conftest import REDIS_URL
from tests.integration.test_api_support import api_client, claim, line
from tests.reliability.intake_support import free_port

from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import submit_claim
from paymentprocess.storage import tables as t

NPIS = ["1000000001", "1000000002", "1000000003", "1000000004", "1000000005"]


def _seed(engine: Engine) -> None:
    # Provider i gets i+1 claims with net fee 10.00 × (i % 3) + copay cents, so there are ties.
    for i, npi in enumerate(NPIS):
        for j in range(i + 1):
            net_extra = f"{(i % 3) * 10 + (j % 2)}.{(i * 7 + j) % 100:02d}"
            body = claim(line(provider_npi=npi, member_copay=net_extra))
            submit_claim(engine, parse_claim(body))
    # A claim of two providers: each line's net fee goes to its own NPI (81.25 + 91.25).
    two = claim(line(provider_npi=NPIS[0]), line(provider_npi=NPIS[4], member_copay="10.00"))
    submit_claim(engine, parse_claim(two))
    # Two providers with exactly equal totals: ties are broken by NPI.
    for npi in ("1999999992", "1999999991"):
        submit_claim(engine, parse_claim(claim(line(provider_npi=npi, member_copay="500.00"))))


def _group_by(engine: Engine) -> list[dict[str, Any]]:
    """Ranking straight from the stored lines: Σ(billed + coinsurance + copay − allowed) per line
    NPI, and the distinct claims each NPI's lines are on."""
    c, s = t.claim_fin_core.c, t.service_line.c
    net = func.sum(s.billed_amount + s.coinsurance_amount + s.copay_amount - s.allowed_amount)
    claims = func.count(func.distinct(c.claim_core_id))
    query = (
        select(s.provider_npi, claims, net)
        .join(t.service_line, s.claim_core_id == c.claim_core_id)
        .group_by(s.provider_npi)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    rows.sort(key=lambda r: (-int(r[2]), r[0]))
    return [
        {"provider_npi": npi, "claim_count": int(n), "total_net_fee": f"{int(total) / 100:.2f}"}
        for npi, n, total in rows
    ]


def test_top_providers_equals_a_group_by_over_stored_claims(db_uri: str, engine: Engine) -> None:
    _seed(engine)
    with api_client(db_uri, engine=engine) as client:
        top = client.get("/providers/top", params={"limit": 10}).json()
        three = client.get("/providers/top", params={"limit": 3}).json()
    expected = _group_by(engine)
    assert [
        {k: p[k] for k in ("provider_npi", "claim_count", "total_net_fee")}
        for p in top["providers"]
    ] == expected
    assert [p["rank"] for p in top["providers"]] == list(range(1, len(expected) + 1))
    assert top["providers"][:2] == [
        {"rank": 1, "provider_npi": "1999999991", "claim_count": 1, "total_net_fee": "581.25"},
        {"rank": 2, "provider_npi": "1999999992", "claim_count": 1, "total_net_fee": "581.25"},
    ]
    assert three["providers"] == top["providers"][:3]


def test_the_eleventh_call_in_a_minute_gets_429(db_uri: str) -> None:
    with api_client(db_uri) as client:
        answers = [client.get("/providers/top") for _ in range(11)]
        other_client = client.get("/providers/top", headers={"X-API-Key": "unknown"})
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:10]] == [
        str(n) for n in range(9, -1, -1)
    ]
    assert answers[0].headers["X-RateLimit-Limit"] == "10"
    limited = answers[10]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert "rate limit" in limited.json()["detail"][0]["message"]
    # An unknown API key counts as the same client address: no way around the limit.
    assert other_client.status_code == 429


def test_the_limit_is_configurable_and_counts_per_api_key(db_uri: str) -> None:
    with api_client(db_uri, top_rate_limit="2/minute", api_keys="alpha,beta") as client:
        alpha = [client.get("/providers/top", headers={"X-API-Key": "alpha"}) for _ in range(3)]
        beta = client.get("/providers/top", headers={"Authorization": "Bearer beta"})
        anonymous = client.get("/providers/top")
    assert [a.status_code for a in alpha] == [200, 200, 429]
    assert beta.status_code == 200
    assert anonymous.status_code == 200
    assert anonymous.headers["X-RateLimit-Limit"] == "2"


def test_limit_out_of_range_is_refused(db_uri: str) -> None:
    with api_client(db_uri) as client:
        assert client.get("/providers/top", params={"limit": 0}).status_code == 422
        assert client.get("/providers/top", params={"limit": 101}).status_code == 422


def test_two_instances_on_one_redis_share_the_limit(db_uri: str, redis_prefix: str) -> None:
    """Two apps (two instances, or two workers) on one Redis: 10 per client in all, not 20."""
    shared = {"redis_url": REDIS_URL, "redis_key_prefix": redis_prefix}
    with api_client(db_uri, **shared) as first, api_client(db_uri, **shared) as second:
        answers = [(first, second)[i % 2].get("/providers/top") for i in range(12)]
        other = first.get("/providers/top", headers={"X-API-Key": "unknown"})
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == [
        *(str(n) for n in range(9, -1, -1)),
        "0",
        "0",
    ]
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in answers[10:])
    assert 1 <= int(answers[10].headers["X-RateLimit-Reset"]) <= 60
    assert other.status_code == 429  # an unknown key is the same client address


def test_a_down_redis_leaves_the_report_up_with_the_per_process_limit(db_uri: str) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with capture_logs() as logs, api_client(db_uri, redis_url=closed) as client:
        answers = [client.get("/providers/top") for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[9].headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" in answers[10].headers
    warnings = [e for e in logs if e["event"] == "rate_limit_redis_unavailable"]
    assert len(warnings) == 1  # once per outage, not once per request
    assert warnings[0]["fallback"] == "per-process limit"
