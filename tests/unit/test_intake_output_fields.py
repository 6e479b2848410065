"""The optional intake fields the payment outputs need (issue 13): patient control number and
name on the claim, line item control number and modifiers on a line. Parsing and the content hash
(a claim that gives none of them hashes exactly as it did before they existed)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from paymentprocess.service.claims.document import (
    HEADER_KEYS,
    LINE_KEYS,
    as_row,
    claim_document,
    stored_content,
)
from paymentprocess.service.claims.model import NewClaim
from paymentprocess.service.claims.parse import ClaimInputError, parse_claim
from paymentprocess.service.claims.value_parsers import parse_modifiers
from paymentprocess.service.claims.write import claim_header, line_row

LINE: dict[str, Any] = {
    "service_date": "2024-03-01",
    "submitted_procedure": "D0120",
    "plan_group": "G1",
    "subscriber_number": "S1",
    "provider_npi": "1497775530",
    "provider_fees": "100.00",
    "allowed_fees": "80.00",
    "member_coinsurance": "5.00",
    "member_copay": "0.00",
}
BODY: dict[str, Any] = {
    "claim_reference": "REF-1",
    "provider_tin": "123456789",
    "lines": [LINE, {**LINE, "provider_npi": "1234567893", "quadrant": "UR"}],
}


def _hash_as_on_main(claim: NewClaim) -> str:
    """`NewClaim.content_hash` as main computed it before the output fields existed (copied)."""
    doc = {
        "claim_reference": claim.claim_reference,
        "provider_tin": claim.provider_tin,
        "provider_npi": claim.provider_npi,
        "plan_group": claim.plan_group,
        "subscriber_number": claim.subscriber_number,
        "lines": [
            [
                line.service_date.isoformat(),
                line.submitted_procedure,
                line.quadrant,
                line.provider_fees,
                line.allowed_fees,
                line.member_coinsurance,
                line.member_copay,
                *([line.provider_npi] if line.provider_npi != claim.provider_npi else []),
            ]
            for line in claim.lines
        ],
    }
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_a_claim_without_the_new_fields_hashes_as_on_main() -> None:
    plain = parse_claim(BODY)
    assert plain.content_hash() == _hash_as_on_main(plain)
    # blank values are absent: the same hash
    blank = parse_claim(
        {
            **BODY,
            "patient_control_number": " ",
            "patient_first_name": "",
            "lines": [
                {**LINE, "modifiers": "", "line_item_control_number": None},
                BODY["lines"][1],
            ],
        }
    )
    assert blank == plain
    assert blank.content_hash() == _hash_as_on_main(plain)


@pytest.mark.parametrize(
    ("where", "changes"),
    [
        ("claim", {"patient_control_number": "PCN-1"}),
        ("claim", {"patient_first_name": "Ann"}),
        ("claim", {"patient_last_name": "Lee"}),
        ("line", {"line_item_control_number": "LI-1"}),
        ("line", {"modifiers": "25"}),
    ],
)
def test_each_new_field_given_changes_the_hash(where: str, changes: dict[str, str]) -> None:
    plain = parse_claim(BODY)
    if where == "claim":
        body = {**BODY, **changes}
    else:
        body = {**BODY, "lines": [{**LINE, **changes}, BODY["lines"][1]]}
    given = parse_claim(body)
    assert given.content_hash() != plain.content_hash()


def test_the_stored_document_gives_back_the_hash_of_what_was_sent() -> None:
    body = {
        **BODY,
        "patient_control_number": " PCN-77 ",
        "patient_first_name": "Ann",
        "patient_last_name": "O'Neil-Smith",
        "lines": [
            {**LINE, "line_item_control_number": "LI-1", "modifiers": ["25", "59"]},
            BODY["lines"][1],
        ],
    }
    for sent in (body, BODY):
        claim = parse_claim(sent)
        header = claim_header("C1", claim, received=claim.lines[0].service_date, created_at=None)  # type: ignore[arg-type]
        lines = [line_row("C1", n, ln) for n, ln in enumerate(claim.lines, start=1)]
        doc = claim_document(
            as_row({**header, "paid_status": None}, HEADER_KEYS),
            [as_row(row, LINE_KEYS) for row in lines],
        )
        assert stored_content(doc).content_hash() == claim.content_hash()
    assert doc.keys().isdisjoint({"patient_control_number", "patient_first_name"})
    assert all(
        ln.keys().isdisjoint({"modifiers", "line_item_control_number"}) for ln in doc["lines"]
    )


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("25:59", ("25", "59")),
        ("25 59", ("25", "59")),
        ("25,59, tc", ("25", "59", "TC")),
        (["25", " lt "], ("25", "LT")),
        ([], ()),
        ("25:59:76:77", ("25", "59", "76", "77")),
    ],
)
def test_modifiers_are_read_from_a_list_or_a_text(value: object, codes: tuple[str, ...]) -> None:
    assert parse_modifiers(value) == codes


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("25:59:76:77:78", "at most 4"),
        ("2", "exactly 2"),
        ("259", "exactly 2"),
        ("2@", "exactly 2"),
        ("25;59", "exactly 2"),
        ([25], "list of 2-character codes"),
        (25, "a text such as"),
        ("25\t59", "control characters"),
    ],
)
def test_bad_modifiers_are_refused(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_modifiers(value)


def test_patient_fields_on_lines_must_agree() -> None:
    body = {
        "lines": [
            {**LINE, "patient_control_number": "PCN-1"},
            {**LINE, "patient_control_number": "PCN-2"},
        ]
    }
    with pytest.raises(ClaimInputError) as err:
        parse_claim(body)
    assert [(p.line, p.field) for p in err.value.problems] == [(2, "patient_control_number")]
    same = parse_claim(
        {"lines": [{**LINE, "patient_last_name": "Lee"}, {**LINE, "patient_last_name": " Lee"}]}
    )
    assert same.patient_last_name == "Lee"
