"""Lines with their own provider (issue 11), on both databases.

A claim whose lines name different provider NPIs is accepted (JSON and CSV); each line keeps its
NPI in `service_line.provider_npi`; the claim's billing provider (`claim_fin_core.npi`) is the
explicit `billing_provider_npi` when given, else line 1's NPI; `GET /providers/top` adds each
line's net fee to that line's NPI and counts the claims each NPI appears on (compared with a
GROUP BY over the stored lines); `GET /claims?provider_npi=` still finds claims by billing
provider only; plan/group and subscriber still must agree across lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from tests.integration.test_api_support import api_client, claim, line, row_counts

from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import submit_claim
from paymentprocess.storage import tables as t

A, B, C = "1497775530", "1234567893", "1999999991"

# Net fees: provider + coinsurance + copay − allowed.
LINE_A = line(provider_npi=A)  # 130.00 + 16.25 + 0 − 65.00 = 81.25
LINE_B = line(provider_npi=B, provider_fees="200.00", allowed_fees="150.00")  # 66.25
LINE_B2 = line(provider_npi=B, member_copay="10.00")  # 91.25


def _stored_lines(engine: Engine, claim_id: str) -> list[tuple[int, str | None]]:
    s = t.service_line.c
    with engine.connect() as conn:
        return [
            (int(n), npi)
            for n, npi in conn.execute(
                select(s.line_number, s.provider_npi)
                .where(s.claim_core_id == claim_id)
                .order_by(s.line_number)
            ).all()
        ]


def _billing(engine: Engine, claim_id: str) -> tuple[str | None, str | None]:
    c = t.claim_fin_core.c
    with engine.connect() as conn:
        npi, tin = conn.execute(select(c.npi, c.tax_id).where(c.claim_core_id == claim_id)).one()
    return npi, tin


def _aggregates(engine: Engine) -> dict[str, tuple[int, int]]:
    agg = t.provider_aggregate.c
    with engine.connect() as conn:
        return {
            npi: (int(n), int(net))
            for npi, n, net in conn.execute(
                select(agg.provider_npi, agg.claim_count, agg.total_net_fee)
            ).all()
        }


def lines_group_by(engine: Engine) -> dict[str, tuple[int, int]]:
    """Per line NPI (the claim's NPI for a line without one): the distinct claims its lines are
    on and Σ(billed + coinsurance + copay − allowed) of its lines, straight from service_line."""
    c, s = t.claim_fin_core.c, t.service_line.c
    npi = func.coalesce(s.provider_npi, c.npi)
    net = func.sum(s.billed_amount + s.coinsurance_amount + s.copay_amount - s.allowed_amount)
    query = (
        select(npi, func.count(func.distinct(s.claim_core_id)), net)
        .join(t.claim_fin_core, c.claim_core_id == s.claim_core_id)
        .group_by(npi)
    )
    with engine.connect() as conn:
        return {n: (int(count), int(total)) for n, count, total in conn.execute(query).all()}


def test_a_claim_with_two_npis_is_accepted_and_each_line_keeps_its_own(
    db_uri: str, engine: Engine
) -> None:
    with api_client(db_uri, engine=engine) as client:
        resp = client.post("/claims", json=claim(LINE_A, LINE_B, LINE_B2))
        assert resp.status_code == 201, resp.text
        body = resp.json()
        again = client.get(f"/claims/{body['claim_id']}").json()
    assert body["provider_npi"] == A  # no billing_provider_npi: line 1's NPI
    assert [ln["provider_npi"] for ln in body["lines"]] == [A, B, B]
    assert [ln["net_fee"] for ln in body["lines"]] == ["81.25", "66.25", "91.25"]
    assert body["net_fee"] == "238.75"
    assert again == body
    assert _stored_lines(engine, body["claim_id"]) == [(1, A), (2, B), (3, B)]
    assert _billing(engine, body["claim_id"]) == (A, None)
    # A: one claim, 81.25; B: the same claim once, 66.25 + 91.25.
    assert _aggregates(engine) == {A: (1, 8125), B: (1, 15750)}
    with engine.connect() as conn:
        outbox = conn.execute(select(t.outbox_event.c.payload)).scalar_one()
    assert (outbox["provider_npi"], outbox["net_fee"]) == (A, "238.75")


def test_an_explicit_billing_provider_is_the_claims_npi(db_uri: str, engine: Engine) -> None:
    body = claim(
        LINE_B,
        LINE_A,
        billing_provider_npi="1999-999-991",
        provider_tin="12-3456789",
        claim_reference="BILLED-BY-C",
    )
    with api_client(db_uri, engine=engine) as client:
        resp = client.post("/claims", json=body)
        assert resp.status_code == 201, resp.text
        doc = resp.json()
        replay = client.post("/claims", json=body)
        other = client.post(
            "/claims", json={**body, "billing_provider_npi": A}
        )  # same reference, another billing provider
    assert (doc["provider_npi"], doc["provider_tin"]) == (C, "123456789")
    assert [ln["provider_npi"] for ln in doc["lines"]] == [B, A]
    assert _billing(engine, doc["claim_id"]) == (C, "123456789")
    assert _stored_lines(engine, doc["claim_id"]) == [(1, B), (2, A)]
    # The billing provider has no line here: it is not among the top providers.
    assert _aggregates(engine) == {B: (1, 6625), A: (1, 8125)}
    assert (replay.status_code, replay.json()) == (201, doc)
    assert other.status_code == 409, other.text
    assert row_counts(engine)["claim_fin_core"] == 1


def test_csv_lines_with_their_own_npi_and_a_billing_column(db_uri: str, engine: Engine) -> None:
    header = (
        "service date,submitted procedure,quadrant,Plan/Group #,Subscriber#,Provider NPI,"
        "provider fees,Allowed fees,member coinsurance,member copay"
    )
    rows = (
        f"3/28/18 0:00,D0180,,GRP-1000,3730189502,{B},$100.00 ,$90.00 ,$5.00 ,$0.00 \n"
        f"3/28/18 0:00,D4346,,GRP-1000,3730189502,{A},$130.00 ,$65.00 ,$16.25 ,$0.00 \n"
    )
    billed = (
        header.replace("Provider NPI", "Provider NPI,Billing Provider NPI")
        + "\n"
        + "".join(
            r.replace(f",{npi},", f",{npi},{C},")
            for r, npi in zip(rows.splitlines(True), (B, A), strict=False)
        )
    )
    with api_client(db_uri, engine=engine) as client:
        plain = client.post(
            "/claims", content=header + "\n" + rows, headers={"Content-Type": "text/csv"}
        )
        explicit = client.post("/claims", content=billed, headers={"Content-Type": "text/csv"})
    assert plain.status_code == 201, plain.text
    assert explicit.status_code == 201, explicit.text
    first, second = plain.json(), explicit.json()
    assert first["provider_npi"] == B
    assert second["provider_npi"] == C
    for doc in (first, second):
        assert [ln["provider_npi"] for ln in doc["lines"]] == [B, A]
        assert [ln["net_fee"] for ln in doc["lines"]] == ["15.00", "81.25"]
        assert _stored_lines(engine, doc["claim_id"]) == [(1, B), (2, A)]
    assert _aggregates(engine) == {B: (2, 3000), A: (2, 16250)}


def test_plan_group_and_subscriber_still_agree_across_lines(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri, engine=engine) as client:
        plan = client.post("/claims", json=claim(LINE_A, line(provider_npi=B, plan_group="G2")))
        member = client.post(
            "/claims", json=claim(LINE_A, line(provider_npi=B, subscriber_number="9"))
        )
    for resp, name in ((plan, "plan_group"), (member, "subscriber_number")):
        assert resp.status_code == 422, resp.text
        assert resp.json()["detail"] == [
            {
                "line": 2,
                "field": name,
                "message": "differs from line 1: every line of a claim must have the same value",
            }
        ]
    assert row_counts(engine) == {
        "claim_fin_core": 0,
        "service_line": 0,
        "provider_aggregate": 0,
        "outbox_event": 0,
        "idempotency_key": 0,
    }


def _seed_mixed(engine: Engine) -> list[str]:
    """Single- and mixed-NPI claims, some billed by an NPI of no line; their ids."""
    npis = ["1000000001", "1000000002", "1000000003", "1000000004"]
    bodies: list[dict[str, Any]] = []
    for i in range(12):
        lines = [
            line(
                provider_npi=npis[(i + k * (i % 3)) % len(npis)],
                member_copay=f"{(i * 7 + k * 3) % 40}.{(i + k) % 100:02d}",
                service_date=f"2024-0{1 + i % 9}-1{k}",
            )
            for k in range(1 + i % 4)
        ]
        fields = {"billing_provider_npi": "1000000009"} if i % 5 == 4 else {}
        bodies.append(claim(*lines, **fields))
    return [submit_claim(engine, parse_claim(b)).claim_id for b in bodies]


def test_top_providers_by_line_npi_equal_a_group_by_over_lines(db_uri: str, engine: Engine) -> None:
    _seed_mixed(engine)
    expected = lines_group_by(engine)
    assert _aggregates(engine) == expected
    assert "1000000009" not in expected  # a billing provider without lines earns nothing here
    with api_client(db_uri, engine=engine) as client:
        top = client.get("/providers/top", params={"limit": 100}).json()["providers"]
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1][1], kv[0]))
    assert [(p["provider_npi"], p["claim_count"], p["total_net_fee"]) for p in top] == [
        (npi, n, f"{net // 100}.{net % 100:02d}") for npi, (n, net) in ranked
    ]
    with engine.connect() as conn:  # the claims each NPI appears on, not the claims it bills
        billed = dict(
            conn.execute(
                select(t.claim_fin_core.c.npi, func.count()).group_by(t.claim_fin_core.c.npi)
            ).all()
        )
    assert billed != {npi: n for npi, (n, _) in expected.items()}


def test_the_claim_list_by_npi_is_by_billing_provider(db_uri: str, engine: Engine) -> None:
    ids = _seed_mixed(engine)
    c = t.claim_fin_core.c
    with engine.connect() as conn:
        by_billing: dict[str, set[str]] = {}
        for cid, npi in conn.execute(select(c.claim_core_id, c.npi)).all():
            by_billing.setdefault(npi, set()).add(cid)
        on_lines: dict[str, set[str]] = {}
        for cid, npi in conn.execute(
            select(t.service_line.c.claim_core_id, t.service_line.c.provider_npi)
        ).all():
            on_lines.setdefault(npi, set()).add(cid)
    assert set().union(*by_billing.values()) == set(ids)
    assert any(on_lines[npi] != by_billing.get(npi, set()) for npi in on_lines)
    with api_client(db_uri, engine=engine) as client:
        for npi in sorted(set(by_billing) | set(on_lines)):
            page = client.get("/claims", params={"provider_npi": npi, "limit": 500}).json()
            assert page["total"] == len(by_billing.get(npi, set())), npi
            assert {d["claim_id"] for d in page["claims"]} == by_billing.get(npi, set()), npi
            assert all(d["provider_npi"] == npi for d in page["claims"])
            for doc in page["claims"]:
                assert [(ln["line_number"], ln["provider_npi"]) for ln in doc["lines"]] == (
                    _stored_lines(engine, doc["claim_id"])
                )
