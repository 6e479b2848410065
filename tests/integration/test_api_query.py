"""GET /claims: exact totals, overlap date ranges, and keyset pages walked forward and back.

Many claims share identical service dates, so pages cut through runs of equal dates; walking
every page forward and then back must give each matching claim exactly once, in
(service_begin_date, claim_id) order, and no statement may use OFFSET.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from tests.integration.test_api_support import api_client, claim, line

from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import submit_claim

NPI_A, NPI_B, TIN_A = "1497775530", "1234567893", "123456789"
BASE = date(2020, 1, 1)


def _seed(engine: Engine, count: int = 90) -> list[dict[str, Any]]:
    """`count` claims of provider A on 5 begin dates (some spanning days) and 10 of B."""
    stored = []
    for i in range(count):
        begin = BASE + timedelta(days=i % 5)
        end = begin + timedelta(days=i % 3)
        body = claim(
            line(service_date=begin.isoformat()),
            line(service_date=end.isoformat()),
            provider_tin=TIN_A,
        )
        stored.append(submit_claim(engine, parse_claim(body)).body)
    for i in range(10):
        body = claim(
            line(provider_npi=NPI_B, service_date=(BASE + timedelta(days=i % 5)).isoformat())
        )
        submit_claim(engine, parse_claim(body))
    return stored


def _expected(stored: list[dict[str, Any]], start: date | None, end: date | None) -> list[str]:
    chosen = [
        c
        for c in stored
        if (end is None or date.fromisoformat(c["service_begin_date"]) <= end)
        and (start is None or date.fromisoformat(c["service_end_date"]) >= start)
    ]
    chosen.sort(key=lambda c: (c["service_begin_date"], c["claim_id"]))
    return [c["claim_id"] for c in chosen]


def _walk(client: TestClient, params: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """Every page forward, then every page back from the last one."""
    forward: list[list[str]] = []
    page = client.get("/claims", params=params).json()
    total = page["total"]
    assert page["prev_cursor"] is None
    forward.append([c["claim_id"] for c in page["claims"]])
    while page["next_cursor"]:
        page = client.get("/claims", params={**params, "cursor": page["next_cursor"]}).json()
        assert page["total"] == total
        forward.append([c["claim_id"] for c in page["claims"]])
    backward: list[list[str]] = []
    while page["prev_cursor"]:
        page = client.get("/claims", params={**params, "cursor": page["prev_cursor"]}).json()
        backward.append([c["claim_id"] for c in page["claims"]])
    assert all(len(p) == params["limit"] for p in backward)
    back_ids = [i for p in reversed(backward) for i in p] + forward[-1]
    return [i for p in forward for i in p], back_ids, total


RANGES = [
    (None, None),
    (BASE + timedelta(days=1), BASE + timedelta(days=3)),
    (BASE + timedelta(days=2), BASE + timedelta(days=2)),
    (None, BASE + timedelta(days=1)),
    (BASE + timedelta(days=4), None),
    (BASE + timedelta(days=30), None),
]


def test_every_page_forward_and_back_gives_each_claim_once_in_order(
    db_uri: str, engine: Engine
) -> None:
    stored = _seed(engine)
    offsets: list[Any] = []  # the OFFSET value of every statement that has one

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "OFFSET" in statement.upper():
            # SQLAlchemy's SQLite dialect writes `LIMIT ? OFFSET ?` with offset 0 for any LIMIT.
            offsets.append(list(parameters)[-1] if isinstance(parameters, (tuple, list)) else "?")

    event.listen(engine, "before_cursor_execute", record)
    with api_client(db_uri, engine=engine) as client:
        for start, end in RANGES:
            expected = _expected(stored, start, end)
            for limit in (1, 7, 18, 500) if start == RANGES[1][0] else (7, 18, 500):
                params: dict[str, Any] = {"provider_npi": NPI_A, "limit": limit}
                if start is not None:
                    params["service_date_start"] = start.isoformat()
                if end is not None:
                    params["service_date_end"] = end.isoformat()
                forward, backward, total = _walk(client, params)
                assert total == len(expected)
                assert forward == expected, (start, end, limit)
                assert backward == expected, (start, end, limit)
        by_tin = _walk(client, {"provider_tin": TIN_A, "limit": 25})
    assert by_tin[0] == _expected(stored, None, None)
    assert set(offsets) <= {0}, "no page may skip rows with OFFSET"


def test_pages_carry_whole_claims(db_uri: str, engine: Engine) -> None:
    stored = _seed(engine)
    with api_client(db_uri, engine=engine) as client:
        page = client.get("/claims", params={"provider_npi": NPI_A, "limit": 3}).json()
        first = _expected(stored, None, None)[0]
        assert page["claims"][0] == client.get(f"/claims/{first}").json()
        assert page["limit"] == 3
        other = client.get("/claims", params={"provider_npi": NPI_B}).json()
        assert other["total"] == 10
        nobody = client.get("/claims", params={"provider_npi": "1111111111"}).json()
    assert (nobody["total"], nobody["claims"], nobody["next_cursor"]) == (0, [], None)


def _tampered(cursor: str) -> str:
    middle = len(cursor) // 2
    swap = "A" if cursor[middle] != "A" else "B"
    return cursor[:middle] + swap + cursor[middle + 1 :]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"provider_npi": NPI_A, "provider_tin": TIN_A}, 422, "provider_tin"),
        ({}, 422, "provider_tin"),
        ({"provider_npi": NPI_A, "limit": 0}, 422, "limit"),
        ({"provider_npi": NPI_A, "limit": 501}, 422, "limit"),
        ({"provider_npi": NPI_A, "limit": "ten"}, 422, "limit"),
        ({"provider_npi": NPI_A, "service_date_start": "2020-13-01"}, 422, "service_date_start"),
        (
            {
                "provider_npi": NPI_A,
                "service_date_start": "2020-02-01",
                "service_date_end": "2020-01-01",
            },
            422,
            "service_date_start",
        ),
        ({"provider_npi": NPI_A, "cursor": "not-a-cursor"}, 400, "cursor"),
        ({"provider_npi": NPI_A, "cursor": "e30"}, 400, "cursor"),  # base64 of {}
        ({"provider_npi": NPI_A, "cursor": "TAMPER"}, 400, "cursor"),
        ({"provider_tin": TIN_A, "cursor": "OTHER-QUERY"}, 400, "cursor"),
    ],
)
def test_bad_queries_are_refused(
    db_uri: str, engine: Engine, params: dict[str, Any], status: int, field: str
) -> None:
    _seed(engine, count=8)
    with api_client(db_uri, engine=engine) as client:
        real = client.get("/claims", params={"provider_npi": NPI_A, "limit": 5}).json()
        if params.get("cursor") == "TAMPER":
            params = {**params, "cursor": _tampered(real["next_cursor"])}
        if params.get("cursor") == "OTHER-QUERY":
            params = {**params, "cursor": real["next_cursor"]}
        resp = client.get("/claims", params=params)
    assert resp.status_code == status, resp.text
    assert resp.json()["detail"][0]["field"] == field
