"""FHIR R4 PaymentReconciliation NDJSON of an event's provider payments (OUTPUTS.md §6).

One resource per remittance with a payment (`amount > 0`), one JSON object per line (`\\n` after
each), UTF-8, keys in a fixed order, no spaces, money as JSON numbers with exactly two decimals
(`53.23`, `30.00`, `-50.00`). Members get none (an R4 `detail.payee` cannot be a Patient).

Input: `FhirRemittance` per remittance, with `FhirDetail`s in the 835's order: one per claim item
(`payment` for a claim, `adjustment` for a reversal, `request` = its ClaimCore_ID, `predecessor` =
the reversed claim's ClaimCore_ID on a reversal or correction) and one `adjustment` per PLB entry
with the PLB amount negated (interest and releases positive, offsets and holds negative; no
request, `reference` = the PLB code:reference). Refused (`OutputDataError` kind `FHIR_PR`):
Σ detail.amount ≠ paymentAmount, amount ≤ 0, an id that cannot be made a FHIR id.

Resource: `resourceType`, `id` (the remit id with every character outside `[A-Za-z0-9-]` written
`.XX` in hex: `PE-1:1234` → `PE-1.3A1234`), `identifier` (the Payment_ID), `status` `active`,
`created` (stored `created_at`, UTC), `paymentIssuer` (Organization by payer TIN, system
`urn:oid:2.16.840.1.113883.4.4`), `outcome` `complete`, `disposition`, `paymentDate` (BPR16),
`paymentAmount` (BPR02, USD), `paymentIdentifier` (TRN02), `detail`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from paymentprocess.domain.money import format_cents
from paymentprocess.outputs.problems import OutputDataError, OutputProblem

TIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"  # US Internal Revenue Service (EIN/TIN)
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
PAYMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/payment-type"
PAYMENT_ID_SYSTEM = "urn:paymentprocess:payment-id"  # our Payment_ID
CLAIM_ID_SYSTEM = "urn:paymentprocess:claim-core-id"  # our ClaimCore_ID (835 CLP07)
TRN_SYSTEM = "urn:paymentprocess:trn02"  # the 835 TRN02: check number / EFT reference
PLB_SYSTEM = "urn:paymentprocess:plb"  # a PLB adjustment "<code>:<reference>"
MAX_ID = 64


@dataclass(frozen=True)
class FhirDetail:
    type: Literal["payment", "adjustment"]
    request_claim_id: str | None  # ClaimCore_ID of the claim item; None for a PLB adjustment
    predecessor_claim_id: str | None  # the reversed (effective-before) claim, when there is one
    payee_npi: str
    date: date
    amount_cents: int  # CLP04, or −PLB amount
    reference: str | None = None  # PLB "<code>:<reference>" (e.g. "L6", "FB:1000")


@dataclass(frozen=True)
class FhirRemittance:
    remit_id: str  # "<PaymentEvent_ID>:<PaymentCenter_ID>"
    payment_id: str
    payee_id: int  # PaymentCenter_ID, for error messages
    created_at: datetime  # stored, UTC
    payer_tin: str
    payment_date: date  # BPR16
    amount_cents: int  # BPR02 = net_pay
    trn02: str
    details: tuple[FhirDetail, ...]
    disposition: str = "Claim payment"


class _Money:
    """A JSON number written with exactly two decimals."""

    def __init__(self, cents: int) -> None:
        self.text = format_cents(cents)


def fhir_id(remit_id: str) -> str:
    """`remit_id` as a FHIR id: `[A-Za-z0-9-]` kept, every other UTF-8 byte → `.XX` (injective)."""
    out = []
    for ch in remit_id:
        if ch.isascii() and (ch.isalnum() or ch == "-"):
            out.append(ch)
        else:
            out.extend(f".{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def _dump(value: object) -> str:
    if isinstance(value, _Money):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _detail(d: FhirDetail) -> dict[str, object]:
    out: dict[str, object] = {}
    if d.reference:
        out["identifier"] = {"system": PLB_SYSTEM, "value": d.reference}
    if d.predecessor_claim_id:
        out["predecessor"] = {"system": CLAIM_ID_SYSTEM, "value": d.predecessor_claim_id}
    out["type"] = {"coding": [{"system": PAYMENT_TYPE_SYSTEM, "code": d.type}]}
    if d.request_claim_id:
        out["request"] = {
            "type": "Claim",
            "identifier": {"system": CLAIM_ID_SYSTEM, "value": d.request_claim_id},
        }
    out["date"] = d.date.isoformat()
    out["payee"] = {
        "type": "Organization",
        "identifier": {"system": NPI_SYSTEM, "value": d.payee_npi},
    }
    out["amount"] = {"value": _Money(d.amount_cents), "currency": "USD"}
    return out


def _resource(r: FhirRemittance) -> dict[str, object]:
    return {
        "resourceType": "PaymentReconciliation",
        "id": fhir_id(r.remit_id),
        "identifier": [{"system": PAYMENT_ID_SYSTEM, "value": r.payment_id}],
        "status": "active",
        "created": _timestamp(r.created_at),
        "paymentIssuer": {
            "type": "Organization",
            "identifier": {"system": TIN_SYSTEM, "value": r.payer_tin},
        },
        "outcome": "complete",
        "disposition": r.disposition,
        "paymentDate": r.payment_date.isoformat(),
        "paymentAmount": {"value": _Money(r.amount_cents), "currency": "USD"},
        "paymentIdentifier": {"system": TRN_SYSTEM, "value": r.trn02},
        "detail": [_detail(d) for d in r.details],
    }


def _problems(r: FhirRemittance) -> list[OutputProblem]:
    out = []
    total = sum(d.amount_cents for d in r.details)
    if total != r.amount_cents:
        out.append(
            OutputProblem(
                "FHIR_DETAIL_SUM",
                r.payee_id,
                "details",
                f"Σ detail.amount {format_cents(total)} ≠ paymentAmount {format_cents(r.amount_cents)}",
            )
        )
    if r.amount_cents <= 0:
        out.append(
            OutputProblem(
                "FHIR_NO_PAYMENT", r.payee_id, "amount_cents", "only remittances with a payment"
            )
        )
    if len(fhir_id(r.remit_id)) > MAX_ID:
        out.append(
            OutputProblem(
                "FHIR_ID_TOO_LONG", r.payee_id, "remit_id", f"longer than {MAX_ID} as a FHIR id"
            )
        )
    if not r.details:
        out.append(
            OutputProblem("FHIR_NO_DETAIL", r.payee_id, "details", "a remittance needs its details")
        )
    return out


def render_payment_reconciliations(remittances: Iterable[FhirRemittance]) -> bytes:
    """The NDJSON of `remittances` in the order given (the gatherer passes PaymentCenter_ID order)."""
    items = list(remittances)
    problems = [p for r in items for p in _problems(r)]
    if problems:
        raise OutputDataError("FHIR_PR", problems)
    return "".join(_dump(_resource(r)) + "\n" for r in items).encode("utf-8")
