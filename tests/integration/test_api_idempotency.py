"""Retries and duplicates: Idempotency-Key replays, claim_reference uniqueness, and races.

Races are settled by the database's unique constraints, so eight clients on eight separate apps
(as eight server processes would be) sending the same claim at the same moment store it once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, select
from tests.integration.test_api_support import api_client, claim, line, row_counts

from paymentprocess.storage.tables import provider_aggregate


def test_same_idempotency_key_returns_the_first_answer(db_uri: str, engine: Engine) -> None:
    body = claim(line(), line(submitted_procedure="D0120"))
    with api_client(db_uri) as client:
        first = client.post("/claims", json=body, headers={"Idempotency-Key": "abc-1"})
        after_first = row_counts(engine)
        again = client.post("/claims", json=body, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert row_counts(engine) == after_first
    assert after_first["claim_fin_core"] == 1
    assert after_first["idempotency_key"] == 1


def test_same_key_with_a_different_body_is_refused(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri) as client:
        client.post("/claims", json=claim(), headers={"Idempotency-Key": "k"})
        before = row_counts(engine)
        other = client.post(
            "/claims", json=claim(line(member_copay="1.00")), headers={"Idempotency-Key": "k"}
        )
    assert other.status_code == 422
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    assert row_counts(engine) == before


def test_the_same_claim_sent_as_csv_or_json_is_the_same_content(db_uri: str) -> None:
    csv_text = (
        "Service Date,Submitted Procedure,Quadrant,Plan/Group #,Subscriber#,Provider NPI,"
        "Provider Fees,Allowed Fees,Member Coinsurance,Member Copay\n"
        "3/28/18 0:00,D4346,,GRP-1000,3730189502,1497775530,$130.00 ,$65.00 ,$16.25 ,$0.00 \n"
    )
    with api_client(db_uri) as client:
        first = client.post(
            "/claims",
            content=csv_text,
            headers={"Content-Type": "text/csv", "Idempotency-Key": "same"},
        )
        again = client.post("/claims", json=claim(), headers={"Idempotency-Key": "same"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_duplicate_claim_reference_conflicts_unless_identical(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri) as client:
        first = client.post("/claims", json=claim(claim_reference="claim_1234"))
        identical = client.post("/claims", json=claim(claim_reference="claim_1234"))
        before = row_counts(engine)
        different = client.post(
            "/claims", json=claim(line(allowed_fees="60.00"), claim_reference="claim_1234")
        )
    assert first.status_code == identical.status_code == 201
    assert identical.json() == first.json()
    assert different.status_code == 409
    assert different.json()["detail"][0]["field"] == "claim_reference"
    assert row_counts(engine) == before
    assert before["claim_fin_core"] == 1


def _race(db_uri: str, bodies: list[dict[str, Any]], headers: dict[str, str]) -> list[Any]:
    barrier = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> Any:
        with api_client(db_uri) as client:
            barrier.wait(timeout=30)
            return client.post("/claims", json=body, headers=headers)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_eight_identical_claims_at_once_store_one(db_uri: str, engine: Engine) -> None:
    answers = _race(db_uri, [claim(claim_reference="race-1")] * 8, {})
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["claim_id"] for a in answers}) == 1
    counts = row_counts(engine)
    assert (counts["claim_fin_core"], counts["service_line"], counts["outbox_event"]) == (1, 1, 1)


def test_eight_different_claims_with_one_reference_at_once_store_one(
    db_uri: str, engine: Engine
) -> None:
    bodies = [claim(line(member_copay=f"{i}.00"), claim_reference="race-2") for i in range(8)]
    answers = _race(db_uri, bodies, {})
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    counts = row_counts(engine)
    assert (counts["claim_fin_core"], counts["outbox_event"]) == (1, 1)


def test_eight_retries_with_one_key_at_once_store_one(db_uri: str, engine: Engine) -> None:
    answers = _race(db_uri, [claim()] * 8, {"Idempotency-Key": "race-key"})
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["claim_id"] for a in answers}) == 1
    counts = row_counts(engine)
    assert (counts["claim_fin_core"], counts["idempotency_key"]) == (1, 1)
    with engine.connect() as conn:
        agg = conn.execute(select(provider_aggregate)).mappings().one()
    assert (agg["claim_count"], agg["total_net_fee"]) == (1, 8125)
