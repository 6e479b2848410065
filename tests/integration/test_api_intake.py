"""POST /claims: the sample CSV, JSON with any field spelling, the stored rows, and bad input.

Bad input of every kind gets a 4xx whose body names the field (and the line) and writes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.integration.test_api_support import (
    CLAIM_1234_CSV,
    SHARED_CSV,
    api_client,
    claim,
    line,
    row_counts,
)

from paymentprocess.storage import tables as t


def test_the_sample_csv_posts_and_its_net_fees_are_exact(db_uri: str, engine: Engine) -> None:
    if SHARED_CSV.exists():
        assert SHARED_CSV.read_text().rstrip("\n") == CLAIM_1234_CSV
    with api_client(db_uri) as client:
        resp = client.post("/claims", content=CLAIM_1234_CSV, headers={"Content-Type": "text/csv"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    # provider + coinsurance + copay − allowed, per line, computed by hand:
    # 100+0+0−100 = 0.00; 108+0+0−108 = 0.00; 130+16.25+0−65 = 81.25; 178+35.60+0−178 = 35.60
    assert [ln["net_fee"] for ln in body["lines"]] == ["0.00", "0.00", "81.25", "35.60"]
    assert body["net_fee"] == "116.85"
    assert body["provider_npi"] == "1497775530"
    assert body["plan_group"] == "GRP-1000"
    assert body["subscriber_number"] == "3730189502"
    assert body["service_begin_date"] == body["service_end_date"] == "2018-03-28"
    assert [ln["quadrant"] for ln in body["lines"]] == [None, None, None, "UR"]
    assert (body["provider_fees"], body["allowed_fees"]) == ("516.00", "451.00")
    assert (body["member_coinsurance"], body["member_copay"]) == ("51.85", "0.00")
    assert resp.headers["location"] == f"/claims/{body['claim_id']}"
    with engine.connect() as conn:
        agg = conn.execute(select(t.provider_aggregate)).mappings().one()
    assert (agg["provider_npi"], agg["claim_count"], agg["total_net_fee"]) == (
        "1497775530",
        1,
        11685,
    )


def test_json_claim_is_stored_as_claim_fin_core_in_one_piece(db_uri: str, engine: Engine) -> None:
    lines = [
        line(service_date="2024-02-03", quadrant="ul"),
        line(service_date="2024-02-01", submitted_procedure="d0120", provider_fees="$1,000.10 "),
    ]
    with api_client(db_uri) as client:
        resp = client.post(
            "/claims",
            json=claim(*lines, claim_reference="REF-1", provider_tin="12-3456789"),
            headers={"Idempotency-Key": "key-1"},
        )
    assert resp.status_code == 201, resp.text
    claim_id = resp.json()["claim_id"]
    with engine.connect() as conn:
        header = conn.execute(select(t.claim_fin_core)).mappings().one()
        rows = (
            conn.execute(select(t.service_line).order_by(t.service_line.c.line_number))
            .mappings()
            .all()
        )
        outbox = conn.execute(select(t.outbox_event)).mappings().one()
    assert header["claim_core_id"] == header["parent_claim_core_id"] == claim_id
    assert (header["frequency_code"], header["status"], header["payment_event_id"]) == (
        "1",
        "Unpaid",
        None,
    )
    assert (header["npi"], header["tax_id"], header["member_id"], header["benefit_plan_id"]) == (
        "1497775530",
        "123456789",
        "3730189502",
        "GRP-1000",
    )
    assert header["received_date"] == datetime.now(UTC).date()
    assert (header["service_begin_date"], header["service_end_date"]) == (
        date(2024, 2, 1),
        date(2024, 2, 3),
    )
    assert header["billed_amount"] == 13000 + 100010
    assert (header["allowed_amount"], header["coinsurance_amount"], header["copay_amount"]) == (
        13000,
        3250,
        0,
    )
    assert (header["deductible_amount"], header["other_adjustment_amount"]) == (0, 0)
    assert header["claim_reference"] == "REF-1"
    assert [(r["line_number"], r["procedure_code"], r["quadrant"]) for r in rows] == [
        (1, "D4346", "UL"),
        (2, "D0120", None),
    ]
    assert [r["billed_amount"] for r in rows] == [13000, 100010]
    # net = (130 + 16.25 − 65) + (1000.10 + 16.25 − 65) = 81.25 + 951.35
    assert resp.json()["net_fee"] == "1032.60"
    assert outbox["topic"] == "claim.created"
    assert outbox["ordering_key"] == claim_id
    assert outbox["published_at"] is None
    assert outbox["payload"] == {
        "version": 1,
        "claim_id": claim_id,
        "provider_npi": "1497775530",
        "net_fee": "1032.60",
        "idempotency_key": "key-1",
    }


@pytest.mark.parametrize(
    "spelling",
    [
        {"Provider NPI": "1497775530", "Plan/Group #": "GRP-1000", "Subscriber#": "3730189502"},
        {"PROVIDER_NPI": "1497775530", "plan group": "GRP-1000", "subscriber-number": "3730189502"},
        {"providerNpi": "1497775530", "PlanGroup": "GRP-1000", "Subscriber Number": "3730189502"},
    ],
)
def test_field_names_match_whatever_their_spelling(db_uri: str, spelling: dict[str, str]) -> None:
    base = line(provider_npi=..., plan_group=..., subscriber_number=...)
    base = {
        "Service Date": "3/28/18 0:00",
        "member coinsurance": "16.25",
        "Allowed fees": "65.00",
        **{
            k: v
            for k, v in base.items()
            if k not in ("service_date", "member_coinsurance", "allowed_fees")
        },
        **spelling,
    }
    with api_client(db_uri) as client:
        resp = client.post("/claims", json={"Claim Reference": "R", "LINES": [base]})
    assert resp.status_code == 201, resp.text
    assert resp.json()["net_fee"] == "81.25"
    assert resp.json()["claim_reference"] == "R"


def _big_body() -> str:
    return json.dumps(
        claim(*[line(plan_group="G" * 60)] * 200, claim_reference="x" * 100)
    ) + " " * (1 << 20)


# (body, content type, expected status, expected (line, field) named, message fragment)
BAD_INPUTS: list[tuple[str, Any, str, int, tuple[int | None, str | None], str]] = [
    (
        "missing field",
        claim(line(provider_fees=...)),
        "json",
        422,
        (1, "provider_fees"),
        "required",
    ),
    ("blank field", claim(line(plan_group="  ")), "json", 422, (1, "plan_group"), "required"),
    (
        "null field",
        claim(line(subscriber_number=None)),
        "json",
        422,
        (1, "subscriber_number"),
        "required",
    ),
    (
        "9-digit NPI",
        claim(line(), line(provider_npi="149777553")),
        "json",
        422,
        (2, "provider_npi"),
        "10 digits",
    ),
    (
        "NPI with letters",
        claim(line(provider_npi="149777553A")),
        "json",
        422,
        (1, "provider_npi"),
        "10 digits",
    ),
    (
        "non-ASCII digits in NPI",
        claim(line(provider_npi="١٤٩٧٧٧٥٥٣٠")),
        "json",
        422,
        (1, "provider_npi"),
        "10 digits",
    ),
    (
        "NPI as a number",
        claim(line(provider_npi=1497775530)),
        "json",
        422,
        (1, "provider_npi"),
        "text",
    ),
    (
        "procedure without D",
        claim(line(submitted_procedure="X0180")),
        "json",
        422,
        (1, "submitted_procedure"),
        "begin with D",
    ),
    (
        "negative amount",
        claim(line(allowed_fees="-1.00")),
        "json",
        422,
        (1, "allowed_fees"),
        "negative",
    ),
    ("NaN amount", claim(line(member_copay="NaN")), "json", 422, (1, "member_copay"), "finite"),
    (
        "three decimals",
        claim(line(provider_fees="10.005")),
        "json",
        422,
        (1, "provider_fees"),
        "two decimal",
    ),
    (
        "huge amount",
        claim(line(provider_fees="99999999999.00")),
        "json",
        422,
        (1, "provider_fees"),
        "larger",
    ),
    (
        "amount not a number",
        claim(line(member_coinsurance="ten")),
        "json",
        422,
        (1, "member_coinsurance"),
        "not a number",
    ),
    (
        "amount of wrong type",
        claim(line(member_coinsurance=[1])),
        "json",
        422,
        (1, "member_coinsurance"),
        "decimal",
    ),
    ("amount true", claim(line(member_copay=True)), "json", 422, (1, "member_copay"), "decimal"),
    (
        "bad date",
        claim(line(service_date="2018-02-30")),
        "json",
        422,
        (1, "service_date"),
        "real date",
    ),
    (
        "unparseable date",
        claim(line(service_date="yesterday")),
        "json",
        422,
        (1, "service_date"),
        "date",
    ),
    (
        "future date",
        claim(line(service_date="2999-01-01")),
        "json",
        422,
        (1, "service_date"),
        "between",
    ),
    ("empty lines list", claim(), "json-empty", 422, (None, "lines"), "at least one"),
    ("lines not a list", {"lines": {"a": 1}}, "json", 422, (None, "lines"), "list"),
    ("no lines", {"claim_reference": "R"}, "json", 422, (None, "lines"), "required"),
    ("body is a list", [line()], "json", 422, (None, None), "JSON object"),
    ("unknown field", claim(line(colour="red")), "json", 422, (1, "colour"), "unknown"),
    (
        "field given twice",
        claim(line(**{"Provider NPI": "1497775530"})),
        "json",
        422,
        (1, "provider_npi"),
        "more than once",
    ),
    (
        "billing provider NPI of 9 digits",
        claim(line(), billing_provider_npi="149777553"),
        "json",
        422,
        (None, "billing_provider_npi"),
        "10 digits",
    ),
    (
        "billing provider NPI differing between CSV rows",
        "service date,submitted procedure,Plan/Group #,Subscriber#,Provider NPI,Billing Provider NPI,"
        "provider fees,Allowed fees,member coinsurance,member copay\n"
        "2018-03-28,D0180,G,S1,1497775530,1497775530,1.00,1.00,0.00,0.00\n"
        "2018-03-28,D0180,G,S1,1234567893,1234567893,1.00,1.00,0.00,0.00\n",
        "text/csv",
        422,
        (2, "billing_provider_npi"),
        "same on every line",
    ),
    (
        "inconsistent subscriber",
        claim(line(), line(subscriber_number="9")),
        "json",
        422,
        (2, "subscriber_number"),
        "line 1",
    ),
    ("bad TIN", claim(provider_tin="12345"), "json", 422, (None, "provider_tin"), "9 digits"),
    (
        "reference too long",
        claim(claim_reference="r" * 200),
        "json",
        422,
        (None, "claim_reference"),
        "at most",
    ),
    ("malformed JSON", '{"lines": [', "raw-json", 400, (None, None), "not valid JSON"),
    (
        "JSON NaN literal",
        '{"lines": [{"provider_fees": NaN}]}',
        "raw-json",
        400,
        (None, None),
        "not valid JSON",
    ),
    (
        "deeply nested JSON",
        "[" * 100_000 + "]" * 100_000,
        "raw-json",
        400,
        (None, None),
        "not valid JSON",
    ),
    ("not UTF-8", b"\xff\xfe\x00", "raw-json", 400, (None, None), "UTF-8"),
    (
        "wrong content type",
        "lines=1",
        "text/plain",
        415,
        (None, None),
        "application/json or text/csv",
    ),
    (
        "CSV short row",
        CLAIM_1234_CSV.replace(",$0.00 \n3/28/18 0:00,D0210", "\n3/28/18 0:00,D0210", 1),
        "text/csv",
        422,
        (1, None),
        "cells",
    ),
    (
        "CSV unknown column",
        CLAIM_1234_CSV.replace("quadrant", "colour", 1),
        "text/csv",
        422,
        (None, "colour"),
        "unknown CSV column",
    ),
    (
        "CSV header only",
        CLAIM_1234_CSV.splitlines()[0],
        "text/csv",
        422,
        (None, "lines"),
        "at least one",
    ),
    ("oversized body", "BIG", "raw-json", 413, (None, None), "larger than"),
]


@pytest.mark.parametrize(
    ("body", "kind", "status", "where", "fragment"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_refused_naming_the_problem_and_writes_nothing(
    db_uri: str,
    engine: Engine,
    body: Any,
    kind: str,
    status: int,
    where: tuple[int | None, str | None],
    fragment: str,
) -> None:
    before = row_counts(engine)
    with api_client(db_uri) as client:
        if kind == "json-empty":
            resp = client.post("/claims", json={"lines": []})
        elif kind == "json":
            resp = client.post("/claims", json=body)
        else:
            content = _big_body() if body == "BIG" else body
            media = "application/json" if kind == "raw-json" else kind
            resp = client.post("/claims", content=content, headers={"Content-Type": media})
    assert resp.status_code == status, resp.text
    detail = resp.json()["detail"]
    assert any((d["line"], d["field"]) == where and fragment in d["message"] for d in detail), (
        detail
    )
    assert row_counts(engine) == before


def test_quadrant_is_optional_and_everything_else_required(db_uri: str, engine: Engine) -> None:
    with api_client(db_uri) as client:
        ok = client.post("/claims", json=claim(line(quadrant=...)))
        bare = client.post("/claims", json=claim({"quadrant": "UR"}))
    assert ok.status_code == 201
    assert bare.status_code == 422
    named = {d["field"] for d in bare.json()["detail"]}
    assert named == {
        "service_date",
        "submitted_procedure",
        "plan_group",
        "subscriber_number",
        "provider_npi",
        "provider_fees",
        "allowed_fees",
        "member_coinsurance",
        "member_copay",
    }
    assert row_counts(engine)["claim_fin_core"] == 1


def test_a_failed_check_digit_is_not_a_reason_to_refuse(db_uri: str) -> None:
    with api_client(db_uri) as client:
        resp = client.post("/claims", json=claim(line(provider_npi="1234567890")))
    assert resp.status_code == 201, resp.text


def test_get_claim_returns_the_stored_claim_or_404(db_uri: str) -> None:
    with api_client(db_uri) as client:
        created = client.post("/claims", json=claim()).json()
        assert client.get(f"/claims/{created['claim_id']}").json() == created
        missing = client.get("/claims/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert missing.status_code == 404
    assert "no claim" in missing.json()["detail"][0]["message"]


def test_claim_ids_are_time_ordered(db_uri: str) -> None:
    with api_client(db_uri) as client:
        ids = [client.post("/claims", json=claim()).json()["claim_id"] for _ in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
