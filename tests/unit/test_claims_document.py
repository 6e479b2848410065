"""The claim document is built by one function, from rows laid out as the claim reads select them."""

from __future__ import annotations

from datetime import date, datetime

from paymentprocess.service.claims.document import (
    HEADER_KEYS,
    LINE_KEYS,
    as_row,
    claim_document,
    stored_content,
)
from paymentprocess.service.claims.model import NewClaim, NewLine
from paymentprocess.service.claims.read import HEADER_COLUMNS, LINE_COLUMNS
from paymentprocess.service.claims.write import claim_header, line_row

CLAIM = NewClaim(
    claim_reference="REF-1",
    provider_tin="123456789",
    provider_npi="1497775530",
    plan_group="G1",
    subscriber_number="S1",
    lines=(
        NewLine(date(2024, 3, 1), "D0120", None, 10000, 8000, 500, 0, "1497775530"),
        NewLine(date(2024, 3, 4), "D2740", "UR", 1999, 2500, 0, 250, "1234567893"),
    ),
)


def test_the_reads_select_the_row_layout_the_builder_reads() -> None:
    assert tuple(c.key for c in HEADER_COLUMNS) == HEADER_KEYS
    assert tuple(c.key for c in LINE_COLUMNS) == LINE_KEYS


def test_a_written_claim_document_shows_sums_nets_and_each_lines_provider() -> None:
    header = claim_header(
        "C1", CLAIM, received=date(2024, 3, 5), created_at=datetime(2024, 3, 5, 12, 0, 0, 7)
    )
    lines = [line_row("C1", n, line) for n, line in enumerate(CLAIM.lines, start=1)]
    doc = claim_document(
        as_row({**header, "paid_status": None}, HEADER_KEYS),
        [as_row(row, LINE_KEYS) for row in lines],
    )
    assert {k: v for k, v in doc.items() if k != "lines"} == {
        "claim_id": "C1",
        "claim_reference": "REF-1",
        "status": "Unpaid",
        "provider_npi": "1497775530",
        "provider_tin": "123456789",
        "plan_group": "G1",
        "subscriber_number": "S1",
        "received_date": "2024-03-05",
        "service_begin_date": "2024-03-01",
        "service_end_date": "2024-03-04",
        "created_at": "2024-03-05T12:00:00.000007Z",
        "provider_fees": "119.99",
        "allowed_fees": "105.00",
        "member_coinsurance": "5.00",
        "member_copay": "2.50",
        "net_fee": "22.49",
    }
    assert doc["lines"][1] == {
        "line_number": 2,
        "service_date": "2024-03-04",
        "submitted_procedure": "D2740",
        "quadrant": "UR",
        "provider_npi": "1234567893",
        "provider_fees": "19.99",
        "allowed_fees": "25.00",
        "member_coinsurance": "0.00",
        "member_copay": "2.50",
        "net_fee": "-2.51",
    }
    assert stored_content(doc) == CLAIM


def test_a_paid_claim_reads_paid_and_a_line_without_npi_takes_the_claims() -> None:
    header = dict.fromkeys(HEADER_KEYS)
    header |= {"claim_core_id": "C2", "status": "Unpaid", "paid_status": "Paid", "npi": "N"}
    header |= {"billed_amount": 300, "allowed_amount": 0, "coinsurance_amount": 0}
    header |= {"copay_amount": 0}
    line = dict.fromkeys(LINE_KEYS) | {"claim_core_id": "C2", "line_number": 1}
    line |= {"billed_amount": 100, "allowed_amount": 0, "coinsurance_amount": 0}
    line |= {"copay_amount": 0, "procedure_code": "D0120"}
    doc = claim_document(as_row(header, HEADER_KEYS), [as_row(line, LINE_KEYS)])
    assert (doc["status"], doc["lines"][0]["provider_npi"]) == ("Paid", "N")
    # The header's stored total is shown (an imported claim's may differ from its lines' sum).
    assert (doc["provider_fees"], doc["net_fee"]) == ("3.00", "1.00")
