"""A stored claim as the API shows it, and back: JSON-ready documents built from table rows.

Amounts are "12.34" strings, dates ISO, timestamps UTC with `Z`. Intake fields are named as the
caller sent them (`provider_fees` is `billed_amount`, `plan_group` is `benefit_plan_id`,
`subscriber_number` is `member_id`). The claim's `provider_npi` is its billing provider
(`claim_fin_core.npi`), a line's `provider_npi` the line's own (`service_line.provider_npi`, the
claim's when NULL). One builder, `claim_document`, makes the document from row tuples, for a
claim just written (`write`, the 201 answer) and a claim read back (`read`, `listing`) alike;
amounts go through `domain.money.format_cents`. `stored_content` turns a document back into the
`NewClaim` it was made from, to compare a replayed body with what is stored.
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

# The row layout `claim_document` reads: `service.claims.read.HEADER_COLUMNS` / `LINE_COLUMNS`
# select these keys in this order (tests/unit/test_claims_document.py checks it), and a claim
# just written (`service.claims.write`) is laid out from its rows' mappings the same way.
HEADER_KEYS = (
    "claim_core_id", "claim_reference", "status", "paid_status", "tax_id", "npi", "member_id",
    "benefit_plan_id", "received_date", "service_begin_date", "service_end_date", "created_at",
    "billed_amount", "allowed_amount", "coinsurance_amount", "copay_amount",
    "patient_control_number", "patient_first_name", "patient_last_name",
)  # fmt: skip
LINE_KEYS = (
    "claim_core_id", "line_number", "service_date", "procedure_code", "quadrant",
    "billed_amount", "allowed_amount", "coinsurance_amount", "copay_amount", "provider_npi",
    "line_item_control_number", "modifiers",
)  # fmt: skip
(H_ID, H_REFERENCE, H_STATUS, H_PAID, H_TIN, H_NPI, H_MEMBER, H_PLAN, H_RECEIVED, H_BEGIN, H_END,
 H_CREATED, H_BILLED, H_ALLOWED, H_COINSURANCE, H_COPAY, H_PCN, H_FIRST, H_LAST,
 ) = range(len(HEADER_KEYS))  # fmt: skip
(L_CLAIM, L_NUMBER, L_DATE, L_PROCEDURE, L_QUADRANT, L_BILLED, L_ALLOWED, L_COINSURANCE, L_COPAY,
 L_NPI, L_ITEM_CONTROL, L_MODIFIERS) = range(len(LINE_KEYS))  # fmt: skip
# The optional output fields (issue 13) appear in a document only when stored (not NULL), so
# that a claim without them reads exactly as before they existed (docs/claims-service.md).
_HEADER_OPTIONAL = {
    "patient_control_number": H_PCN, "patient_first_name": H_FIRST, "patient_last_name": H_LAST
}  # fmt: skip
_LINE_OPTIONAL = {"line_item_control_number": L_ITEM_CONTROL, "modifiers": L_MODIFIERS}


def as_row(values: Mapping[str, Any], keys: Sequence[str]) -> tuple[Any, ...]:
    """The values of a row given as a mapping, in the order of `keys` (HEADER_KEYS, LINE_KEYS)."""
    return tuple(values[key] for key in keys)


def claim_document(header: Sequence[Any], lines: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """One claim as the API shows it, from its header row and its line rows (HEADER_KEYS,
    LINE_KEYS order): amounts as "12.34" strings, dates ISO, timestamps UTC with `Z`."""
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
                "provider_fees": format_cents(billed),
                "allowed_fees": format_cents(allowed),
                "member_coinsurance": format_cents(coins),
                "member_copay": format_cents(copay),
                "net_fee": format_cents(line_net),
                **_when_set(row, _LINE_OPTIONAL),
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
        "provider_fees": format_cents(totals[0]),
        "allowed_fees": format_cents(totals[1]),
        "member_coinsurance": format_cents(totals[2]),
        "member_copay": format_cents(totals[3]),
        "net_fee": format_cents(net),
        **_when_set(header, _HEADER_OPTIONAL),
        "lines": line_docs,
    }


def _when_set(row: Sequence[Any], positions: Mapping[str, int]) -> dict[str, Any]:
    """The optional fields of `row` that are stored: {name: value} for each not NULL (an empty
    modifiers list, which intake never writes, is shown as stored)."""
    return {name: row[at] for name, at in positions.items() if row[at] is not None}


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
                line_item_control_number=line.get("line_item_control_number"),
                modifiers=None if line.get("modifiers") is None else tuple(line["modifiers"]),
            )
            for line in document["lines"]
        ),
        patient_control_number=document.get("patient_control_number"),
        patient_first_name=document.get("patient_first_name"),
        patient_last_name=document.get("patient_last_name"),
    )
