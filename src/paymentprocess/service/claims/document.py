"""A stored claim as the API shows it, and back: JSON-ready documents built from table rows.

Amounts are "12.34" strings, dates ISO, timestamps UTC with `Z`. Intake fields are named as the
caller sent them (`provider_fees` is `billed_amount`, `plan_group` is `benefit_plan_id`,
`subscriber_number` is `member_id`). The claim's `provider_npi` is its billing provider
(`claim_fin_core.npi`), a line's `provider_npi` the line's own (`service_line.provider_npi`, the
claim's when NULL). `stored_content` turns a document back into the `NewClaim`
it was made from, to compare a replayed body with what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from paymentprocess.domain.money import format_cents, parse_cents
from paymentprocess.service.claims.model import NewClaim, NewLine

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
    line_docs = [_line_document(row, header["npi"]) for row in lines]
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


def _line_document(row: Mapping[Any, Any], claim_npi: str | None) -> dict[str, Any]:
    return {
        "line_number": row["line_number"],
        "service_date": _day(row["service_date"]),
        "submitted_procedure": row["procedure_code"],
        "quadrant": row["quadrant"],
        "provider_npi": row.get("provider_npi") or claim_npi,
        **{field: format_cents(int(row[col])) for col, field in LINE_AMOUNTS.items()},
        "net_fee": format_cents(_line_net(row)),
    }


def cents_text(cents: int) -> str:
    """`format_cents` without Decimal (the hot path of the claim list): 123456 → "1234.56"."""
    if cents < 0:
        return "-" + cents_text(-cents)
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}"


# Positions in a row of `service.claims.read.HEADER_COLUMNS` / `LINE_COLUMNS`.
(H_ID, H_REFERENCE, H_STATUS, H_PAID, H_TIN, H_NPI, H_MEMBER, H_PLAN, H_RECEIVED, H_BEGIN, H_END,
 H_CREATED, H_BILLED, H_ALLOWED, H_COINSURANCE, H_COPAY) = range(16)  # fmt: skip
(L_CLAIM, L_NUMBER, L_DATE, L_PROCEDURE, L_QUADRANT, L_BILLED, L_ALLOWED, L_COINSURANCE, L_COPAY,
 L_NPI) = range(10)  # fmt: skip


def row_document(header: Sequence[Any], lines: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """`claim_document` from row tuples (same document, a fraction of the time per claim)."""
    line_docs = []
    claim_npi = header[H_NPI]
    net = 0
    sums = [0, 0, 0, 0]
    for row in lines:
        billed, allowed, coins, copay = (
            row[L_BILLED], row[L_ALLOWED], row[L_COINSURANCE], row[L_COPAY]
        )  # fmt: skip
        line_net = billed + coins + copay - allowed
        net += line_net
        sums[0] += billed
        sums[1] += allowed
        sums[2] += coins
        sums[3] += copay
        day = row[L_DATE]
        line_docs.append(
            {
                "line_number": row[L_NUMBER],
                "service_date": None if day is None else day.isoformat(),
                "submitted_procedure": row[L_PROCEDURE],
                "quadrant": row[L_QUADRANT],
                "provider_npi": row[L_NPI] or claim_npi,
                "provider_fees": cents_text(billed),
                "allowed_fees": cents_text(allowed),
                "member_coinsurance": cents_text(coins),
                "member_copay": cents_text(copay),
                "net_fee": cents_text(line_net),
            }
        )
    totals = [
        header[col] if header[col] is not None else sums[i]
        for i, col in enumerate((H_BILLED, H_ALLOWED, H_COINSURANCE, H_COPAY))
    ]
    received, begin, end, created = (
        header[H_RECEIVED],
        header[H_BEGIN],
        header[H_END],
        header[H_CREATED],
    )
    return {
        "claim_id": header[H_ID],
        "claim_reference": header[H_REFERENCE],
        "status": header[H_PAID] or header[H_STATUS],
        "provider_npi": header[H_NPI],
        "provider_tin": header[H_TIN],
        "plan_group": header[H_PLAN],
        "subscriber_number": header[H_MEMBER],
        "received_date": None if received is None else received.isoformat(),
        "service_begin_date": None if begin is None else begin.isoformat(),
        "service_end_date": None if end is None else end.isoformat(),
        "created_at": None if created is None else created.isoformat(timespec="microseconds") + "Z",
        "provider_fees": cents_text(totals[0]),
        "allowed_fees": cents_text(totals[1]),
        "member_coinsurance": cents_text(totals[2]),
        "member_copay": cents_text(totals[3]),
        "net_fee": cents_text(net),
        "lines": line_docs,
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
                provider_npi=line.get("provider_npi") or document["provider_npi"],
            )
            for line in document["lines"]
        ),
    )
