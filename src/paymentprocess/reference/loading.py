"""Turn Appendix A documents (plain dicts, canonical field names) into the reference model.

`load_cycle_input` reads the event and everything it refers to, parses money with
`domain.money.parse_cents` (so more than two decimals is refused exactly as on import), dates from
`YYYY-MM-DD` text or `date` objects, and treats absent, null or blank text as missing. The cycle's
claims are the ClaimFinCore documents of the event whose Status is `Unpaid`; every ClaimFinCore
document is kept as well, for paid history, void links and refunds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from paymentprocess.domain.identifiers import normalize_identifier, normalize_payee_key
from paymentprocess.domain.money import parse_cents, parse_rate_ppm
from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.reference import model as m

Documents = Mapping[str, Sequence[Mapping[str, Any]]]


def text(value: Any) -> str | None:
    """Text of a value; `None` when absent, null or blank."""
    if value is None:
        return None
    result = str(value)
    return result if result.strip() else None


def identifier(value: Any) -> str | None:
    """A TaxID or NPI without separators (`domain.identifiers`); `None` when absent or blank."""
    given = text(value)
    return None if given is None else normalize_identifier(given) or None


def date(value: Any) -> dt.date | None:
    """A calendar date from `YYYY-MM-DD`, a date/datetime or Extended JSON `{"$date": ...}`."""
    if isinstance(value, Mapping):
        value = value.get("$date")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


@lru_cache(maxsize=1 << 16)
def _text_cents(value: str, what: str) -> int | None:
    """`parse_cents` of a text amount; cached, since the same amounts recur across lines."""
    return parse_cents(value, what=what) if value.strip() else None


def cents(value: Any, what: str) -> int | None:
    """Cents of a money value; `None` when absent."""
    if isinstance(value, Mapping):
        value = value.get("$numberDecimal")
    if isinstance(value, str):
        return _text_cents(value, what)
    return None if value is None else parse_cents(value, what=what)


def _texts(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


def _payee_refs(values: Any) -> frozenset[str]:
    """PaymentCenter_IDs and payee keys of inclusion criteria (`TaxID|NPI` normalised)."""
    return frozenset(normalize_payee_key(str(v)) for v in values or ())


def _line(doc: Mapping[str, Any], index: int) -> m.ServiceLine:
    amounts = {a: cents(doc.get(f"{a}Amount"), f"{a}Amount") or 0 for a in m.AMOUNTS}
    number = doc.get("LineNumber")
    return m.ServiceLine(
        line_number=int(number) if number is not None else index + 1,
        procedure_code=text(doc.get("ProcedureCode")),
        amounts=amounts,
    )


def load_claim(doc: Mapping[str, Any]) -> m.Claim:
    """One ClaimFinCore document."""
    claim_id = str(doc["ClaimCore_ID"])
    received = date(doc.get("ReceivedDate"))
    if received is None:
        raise ValueError(f"claim {claim_id}: ReceivedDate is required")
    return m.Claim(
        claim_core_id=claim_id,
        chain_id=text(doc.get("ParentClaimCore_ID")) or claim_id,
        frequency_code=text(doc.get("FrequencyCode")),
        payment_event_id=text(doc.get("PaymentEvent_ID")),
        status=text(doc.get("Status")) or "Unpaid",
        paid_amount=cents(doc.get("PaidAmount"), "PaidAmount") or 0,
        tax_id=identifier(doc.get("TaxID")),
        npi=identifier(doc.get("NPI")),
        member_id=text(doc.get("MemberID")),
        billing_provider_name=text(doc.get("BillingProviderName")),
        billing_provider_address=doc.get("BillingProviderAddress"),
        contract_type=text(doc.get("ContractType")),
        benefit_plan_id=text(doc.get("BenefitPlan_ID")),
        received_date=received,
        void_claim_core_id=text(doc.get("VoidClaimCore_ID")),
        process_codes=tuple(str(c) for c in doc.get("ProcessCodes") or ()),
        header={a: cents(doc.get(f"{a}Amount"), f"{a}Amount") for a in m.AMOUNTS},
        lines=tuple(_line(line, i) for i, line in enumerate(doc.get("ServiceLines") or ())),
    )


def _payment_center(doc: Mapping[str, Any]) -> m.PaymentCenter:
    kind = text(doc.get("PaymentCenterType")) or "Provider"
    tax_id, npi = identifier(doc.get("TaxID")), identifier(doc.get("NPI"))
    member_id = text(doc.get("MemberID"))
    if kind == "Member":
        key = member_id
    else:
        key = f"{tax_id}|{npi}" if tax_id is not None and npi is not None else None
    return m.PaymentCenter(
        payment_center_id=int(doc["PaymentCenter_ID"]),
        payment_center_type=kind,
        key=key,
        tax_id=tax_id,
        npi=npi,
        member_id=member_id,
        vendor_name=text(doc.get("VendorName")),
        address=doc.get("Address"),
        contract_type=text(doc.get("ContractType")),
        payment_method=text(doc.get("PaymentMethod")),
        bank_routing_number=text(doc.get("BankRoutingNumber")),
        bank_account_number=text(doc.get("BankAccountNumber")),
        bank_account_type=text(doc.get("BankAccountType")),
    )


def payer_ready(payer: Mapping[str, Any] | None) -> bool:
    """The payer exists with a legal name, a TIN, a whole address and an EDI contact number
    (phone, e-mail or URL): what N1*PR, N3/N4, PER*BL and TRN03 of every 835 need."""
    if payer is None:
        return False
    address = payer.get("Address")
    address = address if isinstance(address, Mapping) else {}
    needed = [payer.get("LegalName"), payer.get("TIN")]
    needed += [address.get(p) for p in ("Line1", "City", "State", "Zip")]
    contact = [payer.get(f"EdiContact{c}") for c in ("Phone", "Email", "Url")]
    return all(text(v) is not None for v in needed) and any(text(v) is not None for v in contact)


def _ledger_record(doc: Mapping[str, Any]) -> m.LedgerRecord:
    total = cents(doc.get("TotalAmount"), "TotalAmount") or 0
    remaining = cents(doc.get("RemainingAmount"), "RemainingAmount")
    if remaining is None:
        remaining = cents(doc.get("RemaingAmount"), "RemaingAmount")
    return m.LedgerRecord(
        record_id=int(doc["OverAndUnderPayment_ID"]),
        payment_center_id=int(doc["PaymentCenter_ID"]),
        payment_event_id=text(doc.get("PaymentEvent_ID")),
        type=str(doc["Type"]),
        total=total,
        remaining=total if remaining is None else remaining,
        created_date=date(doc.get("CreatedDate")),
        claim_chain_id=text(doc.get("ClaimChain_ID")),
    )


def _refund(doc: Mapping[str, Any]) -> m.Refund:
    amount = cents(doc.get("Amount"), "Amount") or 0
    applied = cents(doc.get("AppliedAmount"), "AppliedAmount")
    remaining = cents(doc.get("RemainingAmount"), "RemainingAmount")
    if applied is None:
        if remaining is not None:
            applied = amount - remaining
        elif text(doc.get("Status")) == "Applied":
            applied = max(amount, 0)
        else:
            applied = 0
    return m.Refund(
        refund_id=str(doc["Refund_ID"]),
        original_claim_core_id=text(doc.get("OriginalClaimCore_ID")),
        amount=amount,
        received_date=date(doc.get("ReceivedDate")),
        applied=applied,
    )


def _interest_row(doc: Mapping[str, Any]) -> m.InterestRow:
    start = date(doc.get("EffectiveFrom"))
    if start is None:
        raise ValueError("InterestConfig: EffectiveFrom is required")
    return m.InterestRow(
        contract_type=str(doc["ContractType"]),
        rate_ppm=parse_rate_ppm(doc["AnnualRate"]),
        grace_days=int(doc.get("GraceDays") or 0),
        effective_from=start,
        effective_to=date(doc.get("EffectiveTo")),
    )


def _find(docs: Documents, collection: str, field: str, value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    return next((d for d in docs.get(collection, ()) if str(d.get(field)) == str(value)), None)


def _check_numbers(docs: Documents, funding_source_id: str) -> tuple[int, ...]:
    events = {
        str(e.get("PaymentEvent_ID"))
        for e in docs.get("PaymentEvent", ())
        if str(e.get("FundingSource_ID")) == funding_source_id
    }
    return tuple(
        int(str(r["CheckNumber"]))
        for r in docs.get("PaymentRegister", ())
        if str(r.get("PaymentEvent_ID")) in events and str(r.get("CheckNumber", "")).isdigit()
    )


def load_cycle_input(docs: Documents, payment_event_id: str) -> m.CycleInput:
    """Parse what one cycle needs; refuses an unknown event, event type or funding source."""
    event = _find(docs, "PaymentEvent", "PaymentEvent_ID", payment_event_id)
    if event is None:
        raise NotFoundError(f"payment event {payment_event_id!r} does not exist")
    event_type = str(event.get("PaymentEventType"))
    if event_type not in ("Provider", "DMR"):
        raise RunRefusedError(f"payment event {payment_event_id!r} has unknown type {event_type!r}")
    due = date(event.get("PaymentDueDate"))
    if due is None:
        raise RunRefusedError(f"payment event {payment_event_id!r} has no PaymentDueDate")
    fs_id = str(event.get("FundingSource_ID"))
    funding = _find(docs, "FundingSource", "FundingSource_ID", event.get("FundingSource_ID"))
    if funding is None:
        raise RunRefusedError(
            f"payment event {payment_event_id!r}: funding source {fs_id!r} does not exist"
        )
    business = _find(docs, "Business", "Business_ID", event.get("Business_ID")) or {}
    custom = business.get("CustomInterestDays")
    crit = _find(
        docs, "InclusionCriteria", "InclusionCriteria_ID", event.get("InclusionCriteria_ID")
    )
    criteria = m.Criteria()
    if crit is not None:
        criteria = m.Criteria(
            _texts(crit.get("BenefitPlan_IDs")),
            _payee_refs(crit.get("IncludePaymentCenters")),
            _payee_refs(crit.get("ExcludePaymentCenters")),
        )
    all_claims = tuple(load_claim(d) for d in docs.get("ClaimFinCore", ()))
    cycle = tuple(
        c for c in all_claims if c.payment_event_id == payment_event_id and c.status == "Unpaid"
    )
    return m.CycleInput(
        payment_event_id=payment_event_id,
        event_type=event_type,
        payment_due_date=due,
        funding_source_id=fs_id,
        minimum_payment=cents(funding.get("MinimumPayment"), "MinimumPayment") or 0,
        custom_interest_days=None if custom is None or str(custom).strip() == "" else int(custom),
        criteria=criteria,
        interest_rows=tuple(_interest_row(d) for d in docs.get("InterestConfig", ())),
        benefit_plans=_texts(d.get("BenefitPlan_ID") for d in docs.get("BenefitPlan", ())),
        service_codes=_texts(d.get("ServiceCode") for d in docs.get("ServiceCode", ())),
        holding_process_codes=_texts(
            d.get("ProcessCode")
            for d in docs.get("ProcessCodeEx", ())
            if _truthy(d.get("HoldsPayment"))
        ),
        sequences={str(d["Name"]): int(d["Value"]) for d in docs.get("SequenceNumbers", ())},
        claims=cycle,
        all_claims=all_claims,
        payment_centers=tuple(_payment_center(d) for d in docs.get("PaymentCenter", ())),
        ledger=tuple(_ledger_record(d) for d in docs.get("OverAndUnderPayment", ())),
        refunds=tuple(_refund(d) for d in docs.get("Refund", ())),
        check_numbers_in_use=_check_numbers(docs, fs_id),
        payer_ready=payer_ready(_find(docs, "Payer", "Payer_ID", text(funding.get("Payer_ID")))),
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1")
    return bool(value)
