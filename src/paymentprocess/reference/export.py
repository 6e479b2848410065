"""The seeds' nested PaymentCenterClaims JSON of a reference result, for QA review.

One object per payee key: `PaymentCenter_ID`, `PaymentCenter` (details of the existing or new
payee), `OverAndUnderPayment` (`OverPayment` / `UnderPayment`, each with `TotalAmount`,
`RemainingAmount` and the open records as `Data`), `Claims` keyed by ParentClaimCore_ID with
`PaidClaim` / `VoidClaim` / `AdjustClaim` lists (and `OtherClaim` when a code is invalid), and the
payee's `PaymentResult`. Amounts are two-place decimal strings ("12.34"); member ids are shown,
since this is a review document of the production data, not a stats document.
"""

from __future__ import annotations

from typing import Any

from paymentprocess.domain import payee_result
from paymentprocess.domain.money import format_cents
from paymentprocess.reference.model import LedgerRecord
from paymentprocess.reference.payment_center_claims import ParentClaimGroup, PaymentCenterClaims
from paymentprocess.reference.results import ClaimResult, ReferenceResult


def _records(records: list[LedgerRecord], kind: str) -> dict[str, Any]:
    chosen = [r for r in records if r.type == kind]
    return {
        "TotalAmount": format_cents(sum(r.total for r in chosen)),
        "RemainingAmount": format_cents(sum(r.remaining for r in chosen)),
        "Data": [
            {
                "OverAndUnderPayment_ID": r.record_id,
                "PaymentEvent_ID": r.payment_event_id,
                "Type": r.type,
                "TotalAmount": format_cents(r.total),
                "RemainingAmount": format_cents(r.remaining),
                "CreatedDate": None if r.created_date is None else r.created_date.isoformat(),
                "ClaimChain_ID": r.claim_chain_id,
            }
            for r in chosen
        ],
    }


def _claim(c: ClaimResult) -> dict[str, Any]:
    return {
        "ClaimCore_ID": c.claim_core_id,
        "FrequencyCode": c.frequency_code,
        "Outcome": c.outcome,
        "HoldReason": c.hold_reason,
        "PayableAmount": format_cents(c.payable),
        "EstimateAmount": format_cents(c.estimate),
        "NetAmount": format_cents(c.net),
        "InterestAmount": format_cents(c.interest),
        "ServiceLines": [
            {"LineNumber": i + 1, "PayableAmount": format_cents(p)}
            for i, p in enumerate(c.line_payables)
        ],
    }


def _group(g: ParentClaimGroup) -> dict[str, Any]:
    out = {
        "PaidClaim": [_claim(c) for c in g.paid_claim],
        "VoidClaim": [_claim(c) for c in g.void_claim],
        "AdjustClaim": [_claim(c) for c in g.adjust_claim],
    }
    if g.other_claim:
        out["OtherClaim"] = [_claim(c) for c in g.other_claim]
    return out


def _payment_center(e: PaymentCenterClaims) -> dict[str, Any] | None:
    """The payee's details: an existing PaymentCenter (OLD) or the one a Final Run creates (NEW)."""
    payee = e.payment_center if e.payment_center is not None else e.new_payee
    if payee is None:
        return None
    return {
        "PaymentCenter_ID": payee.payment_center_id,
        "PaymentCenterType": payee.payment_center_type,
        "VendorName": payee.vendor_name,
        "VendorNPI": payee.npi,
        "TaxID": payee.tax_id,
        "MemberID": payee.member_id,
        "Address": payee.address,
        "Flag": "OLD" if e.payment_center is not None else "NEW",
    }


def to_payment_center_claims_json(result: ReferenceResult) -> list[dict[str, Any]]:
    """The PaymentCenterClaims document of a computed cycle (JSON-ready)."""
    out = []
    for entry in result.payment_center_claims:
        if not isinstance(entry, PaymentCenterClaims):
            continue
        details = _payment_center(entry)
        records = entry.over_payments + entry.under_payments
        res = entry.result
        out.append(
            {
                "PaymentCenter_ID": None if details is None else details["PaymentCenter_ID"],
                "PayeeKey": entry.payee_key,
                "PaymentCenter": details,
                "OverAndUnderPayment": {
                    "OverPayment": _records(records, "OverPayment"),
                    "UnderPayment": _records(records, "UnderPayment"),
                },
                "Claims": {chain: _group(g) for chain, g in sorted(entry.claims.items())},
                "PaymentResult": None
                if res is None
                else {
                    f.name: payee_result.document_value(f, getattr(res, f.name))
                    for f in payee_result.FIELDS
                },
            }
        )
    return out
