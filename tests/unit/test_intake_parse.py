"""`api.routes.claim_intake.parse_body`: orjson for the usual body, the standard library for the rest, and
every body judged as the standard library alone would (exact decimals, clear 4xx)."""

from __future__ import annotations

import json

import pytest
from fastapi import HTTPException

from paymentprocess.api.routes.claim_intake import parse_body
from paymentprocess.service.claims.parse import ClaimInputError

LINE = {
    "service_date": "2018-03-28",
    "submitted_procedure": "D4346",
    "plan_group": "GRP-1000",
    "subscriber_number": "3730189502",
    "provider_npi": "1497775530",
    "provider_fees": "130.00",
    "allowed_fees": 65,
    "member_coinsurance": "16.25",
    "member_copay": "0.00",
}


def _body(**changes: object) -> bytes:
    return json.dumps({"lines": [{**LINE, **changes}]}).encode()


def test_amounts_as_json_numbers_are_exact() -> None:
    claim = parse_body("application/json", _body(provider_fees=130.1, member_copay=1e1))
    assert (claim.lines[0].provider_fees, claim.lines[0].member_copay) == (13010, 1000)
    assert claim.lines[0].allowed_fees == 6500
    body = _body().replace(b'"130.00"', b"130.005")
    with pytest.raises(ClaimInputError, match="provider_fees"):
        parse_body("application/json", body)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"lines":' + b"[" * 900 + b"]" * 900 + b"}", 422),  # deep, still readable
        (b'{"lines":' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
        (b'{"lines": [NaN]}', 400),
        (b"\xff\xfe{}", 400),
        (b'{"lines": [{"provider_fees": 1' + b"0" * 30 + b"}]}", 422),  # beyond 64 bits
        (b'\xef\xbb\xbf{"lines": []}', 422),  # BOM
    ],
)
def test_bodies_are_refused_with_a_4xx(body: bytes, status: int) -> None:
    with pytest.raises((HTTPException, ClaimInputError)) as caught:
        parse_body("application/json", body)
    got = caught.value.status_code if isinstance(caught.value, HTTPException) else 422
    assert got == status
