"""POST /claims with the optional fields the payment outputs need (issue 13): the patient's
control number and name, each line's item control number and modifiers. JSON and CSV (a
practice-management export with spaced, capitalised headers); the rows stored, GET returns them;
each bad value is a 422 naming line and field and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.integration.test_api_support import api_client, claim, line, row_counts

from paymentprocess.storage import tables as t

NEW_CLAIM_KEYS = {"patient_control_number", "patient_first_name", "patient_last_name"}
NEW_LINE_KEYS = {"line_item_control_number", "modifiers"}

# As a practice-management system exports a claim: spaced, capitalised headers, "$" amounts,
# the patient repeated on every row, modifiers as "25:59".
PM_EXPORT_CSV = (
    "Service Date,Submitted Procedure,Quadrant,Plan/Group #,Subscriber#,Provider NPI,"
    "Provider Fees,Allowed Fees,Member Coinsurance,Member Copay,"
    "Patient Control Number,Patient First Name,Patient Last Name,Line Item Control Number,"
    "Modifiers\r\n"
    "03/28/2018,D0180,,GRP-1000,3730189502,1497775530,$100.00,$80.00,$0.00,$0.00,"
    "ACCT-55012 ,Mary Ann,O'Brien-Smith,LN-0001,25:59\r\n"
    "03/28/2018,D4211,UR,GRP-1000,3730189502,1497775530,$178.00,$178.00,$35.60,$0.00,"
    "ACCT-55012,Mary Ann,O'Brien-Smith,LN-0002,\r\n"
)


def _stored(engine: Engine) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with engine.connect() as conn:
        header = dict(conn.execute(select(t.claim_fin_core)).mappings().one())
        rows = [
            dict(r)
            for r in conn.execute(
                select(t.service_line).order_by(t.service_line.c.line_number)
            ).mappings()
        ]
    return header, rows


def _patient(values: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(control number, first name, last name) of a claim row or document."""
    return (
        values["patient_control_number"],
        values["patient_first_name"],
        values["patient_last_name"],
    )


def test_json_claim_with_the_output_fields_is_stored_and_read_back(
    db_uri: str, engine: Engine
) -> None:
    body = claim(
        line(line_item_control_number=" LI-1 ", modifiers=["25", "lt"]),
        line(submitted_procedure="D0120", modifiers="59", patient_first_name="Ann"),
        line(submitted_procedure="D0140"),
        patient_control_number="PCN-0042",
        patient_last_name="Lee",
    )
    with api_client(db_uri) as client:
        resp = client.post("/claims", json=body, headers={"Idempotency-Key": "k-out-1"})
        assert resp.status_code == 201, resp.text
        got = client.get(f"/claims/{resp.json()['claim_id']}")
        listed = client.get("/claims", params={"provider_npi": "1497775530"}).json()["claims"]
        again = client.post("/claims", json=body, headers={"Idempotency-Key": "k-out-1"})
        other = client.post(
            "/claims",
            json={**body, "patient_last_name": "Leigh"},
            headers={"Idempotency-Key": "k-out-1"},
        )
    header, rows = _stored(engine)
    assert _patient(header) == ("PCN-0042", "Ann", "Lee")
    assert [(r["line_item_control_number"], r["modifiers"]) for r in rows] == [
        ("LI-1", ["25", "LT"]),
        (None, ["59"]),
        (None, None),
    ]
    for doc in (resp.json(), got.json()):
        assert _patient(doc) == ("PCN-0042", "Ann", "Lee")
        assert [{k: ln[k] for k in NEW_LINE_KEYS & ln.keys()} for ln in doc["lines"]] == [
            {"line_item_control_number": "LI-1", "modifiers": ["25", "LT"]},
            {"modifiers": ["59"]},
            {},
        ]
    assert got.json() == resp.json() == listed[0]
    # the same body again is the same answer; a different patient name under the key is not
    assert again.status_code == 201
    assert again.json() == resp.json()
    assert other.status_code == 422, other.text
    assert row_counts(engine)["claim_fin_core"] == 1


def test_a_claim_without_them_stores_nulls_and_its_document_has_no_new_keys(
    db_uri: str, engine: Engine
) -> None:
    with api_client(db_uri) as client:
        resp = client.post(
            "/claims", json=claim(line(modifiers="", line_item_control_number=" ")), headers={}
        )
        assert resp.status_code == 201, resp.text
        got = client.get(f"/claims/{resp.json()['claim_id']}").json()
        listed = client.get("/claims", params={"provider_npi": "1497775530"}).json()["claims"]
    header, rows = _stored(engine)
    assert [header[k] for k in sorted(NEW_CLAIM_KEYS)] == [None, None, None]
    assert [(r["line_item_control_number"], r["modifiers"]) for r in rows] == [(None, None)]
    for doc in (resp.json(), got, listed[0]):
        assert doc.keys().isdisjoint(NEW_CLAIM_KEYS)
        assert all(ln.keys().isdisjoint(NEW_LINE_KEYS) for ln in doc["lines"])
    # SQL NULL, not the JSON text null: the 835 writers read NULL as "no modifiers"
    with engine.connect() as conn:
        raw = conn.execute(
            select(t.service_line.c.modifiers.is_(None))  # type: ignore[attr-defined]
        ).scalar_one()
    assert raw is True


def test_a_practice_management_csv_export_posts_with_its_fields(
    db_uri: str, engine: Engine
) -> None:
    with api_client(db_uri) as client:
        resp = client.post("/claims", content=PM_EXPORT_CSV, headers={"Content-Type": "text/csv"})
        assert resp.status_code == 201, resp.text
        got = client.get(f"/claims/{resp.json()['claim_id']}").json()
    header, rows = _stored(engine)
    assert _patient(header) == ("ACCT-55012", "Mary Ann", "O'Brien-Smith")
    assert [(r["line_item_control_number"], r["modifiers"]) for r in rows] == [
        ("LN-0001", ["25", "59"]),
        ("LN-0002", None),
    ]
    assert got["patient_control_number"] == "ACCT-55012"
    assert [ln.get("modifiers") for ln in got["lines"]] == [["25", "59"], None]
    assert got["net_fee"] == "55.60"  # (100 − 80) + (178 + 35.60 − 178)


LONG = "X" * 39
BAD_VALUES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[int | None, str], str]] = [
    ("PCN too long", {"patient_control_number": LONG}, {}, (None, "patient_control_number"), "38"),
    ("PCN control char", {"patient_control_number": "A\x07B"}, {}, (None, "patient_control_number"), "control"),
    ("first name too long", {"patient_first_name": "A" * 36}, {}, (None, "patient_first_name"), "35"),
    ("last name too long", {"patient_last_name": "A" * 61}, {}, (None, "patient_last_name"), "60"),
    ("last name not text", {"patient_last_name": 7}, {}, (None, "patient_last_name"), "text"),
    ("LICN too long", {}, {"line_item_control_number": "L" * 51}, (2, "line_item_control_number"), "50"),
    ("LICN control char", {}, {"line_item_control_number": "L\n1"}, (2, "line_item_control_number"), "control"),
    ("five modifiers", {}, {"modifiers": ["25", "59", "76", "77", "78"]}, (2, "modifiers"), "at most 4"),
    ("modifier of 3", {}, {"modifiers": "25:591"}, (2, "modifiers"), "exactly 2"),
    ("modifier not a string", {}, {"modifiers": [25]}, (2, "modifiers"), "2-character"),
    ("modifiers an object", {}, {"modifiers": {"a": "25"}}, (2, "modifiers"), "such as"),
    ("PCN differs on a line", {}, {"patient_control_number": "OTHER"}, (2, "patient_control_number"), "same on every line"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("top", "on_line_2", "where", "fragment"),
    [case[1:] for case in BAD_VALUES],
    ids=[case[0] for case in BAD_VALUES],
)
def test_each_bad_value_is_refused_naming_line_and_field_and_writes_nothing(
    db_uri: str,
    engine: Engine,
    top: dict[str, Any],
    on_line_2: dict[str, Any],
    where: tuple[int | None, str],
    fragment: str,
) -> None:
    body = claim(line(patient_control_number="PCN-1"), line(**on_line_2), **top)
    before = row_counts(engine)
    with api_client(db_uri) as client:
        resp = client.post("/claims", json=body)
    assert resp.status_code == 422, resp.text
    detail = resp.json()["detail"]
    assert any((d["line"], d["field"]) == where and fragment in d["message"] for d in detail), (
        detail
    )
    assert row_counts(engine) == before


def test_a_bad_csv_value_names_the_row_and_column(db_uri: str, engine: Engine) -> None:
    csv_text = PM_EXPORT_CSV.replace("LN-0002,\r\n", "LN-0002,25/59\r\n")
    before = row_counts(engine)
    with api_client(db_uri) as client:
        resp = client.post("/claims", content=csv_text, headers={"Content-Type": "text/csv"})
    assert resp.status_code == 422, resp.text
    assert [(d["line"], d["field"]) for d in resp.json()["detail"]] == [(2, "modifiers")]
    assert row_counts(engine) == before
