"""A stored claim as the API shows it, and back: JSON-ready documents built from table rows.

Amounts are "12.34" strings, dates ISO, timestamps UTC with `Z`. Intake fields are named as the
caller sent them (`provider_fees` is `billed_amount`, `plan_group` is `benefit_plan_id`,
`subscriber_number` is `member_id`). `stored_content` turns a document back into the `NewClaim`
it was made from, to compare a replayed body with what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from paymentprocess.domain.money import format_cents, parse_cents
from paymentprocess.service.claims_model import NewClaim, NewLine

LINE_AMOUNTS = {  # service_line / claim_fin_core column → intake field
    "billed_amount": "provider_fees",
    "allowed_amount": "allowed_fees",
    "coinsurance_amount": "member_coinsurance",
    "copay_amount": "member_copay",
}


def _money(value: int | None) -> str | None:
    return None if value is None else format_cents(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def claim_document(header: Mapping[Any, Any], lines: Sequence[Mapping[Any, Any]]) -> dict[str, Any]:
    """One claim as the API shows it: amounts as "12.34" strings, dates ISO, timestamps UTC."""
    line_docs = [_line_document(row) for row in lines]
    totals = {
        field: _money(
            header[col] if header[col] is not None else sum(int(row[col] or 0) for row in lines)
        )
        for col, field in LINE_AMOUNTS.items()
    }
    created = header["created_at"]
    return {
        "claim_id": header["claim_core_id"],
        "claim_reference": header["claim_reference"],
        "status": header["paid_status"] or header["status"],
        "provider_npi": header["npi"],
        "provider_tin": header["tax_id"],
        "plan_group": header["benefit_plan_id"],
        "subscriber_number": header["member_id"],
        "received_date": _day(header["received_date"]),
        "service_begin_date": _day(header["service_begin_date"]),
        "service_end_date": _day(header["service_end_date"]),
        "created_at": None if created is None else created.isoformat(timespec="microseconds") + "Z",
        **totals,
        "net_fee": format_cents(sum(_line_net(row) for row in lines)),
        "lines": line_docs,
    }


def _line_net(row: Mapping[Any, Any]) -> int:
    return (
        int(row["billed_amount"])
        + int(row["coinsurance_amount"])
        + int(row["copay_amount"])
        - int(row["allowed_amount"])
    )


def _line_document(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "line_number": row["line_number"],
        "service_date": _day(row["service_date"]),
        "submitted_procedure": row["procedure_code"],
        "quadrant": row["quadrant"],
        **{field: format_cents(int(row[col])) for col, field in LINE_AMOUNTS.items()},
        "net_fee": format_cents(_line_net(row)),
    }


def stored_content(document: dict[str, Any]) -> NewClaim:
    """The NewClaim a stored claim document was made from (to compare with a replayed body)."""
    return NewClaim(
        claim_reference=document["claim_reference"],
        provider_tin=document["provider_tin"],
        provider_npi=document["provider_npi"],
        plan_group=document["plan_group"],
        subscriber_number=document["subscriber_number"],
        lines=tuple(
            NewLine(
                service_date=date.fromisoformat(line["service_date"]),
                submitted_procedure=line["submitted_procedure"],
                quadrant=line["quadrant"],
                **{f: parse_cents(line[f]) for f in LINE_AMOUNTS.values()},
            )
            for line in document["lines"]
        ),
    )
