"""Appendix A as data: every seed collection, its fields, kinds, keys and table, in order.

Payees, claims with their service lines, the ledger, refunds and the payment register are here;
the reference and configuration collections are in `io.reference_collections`. The order of
`Field`s is the order of keys on export. Fields marked `only_when_set` are product
additions that the runs and the claims service fill (`ClaimChain_ID`, `CreatedPaymentEvent_ID`,
`ClaimReference`, `Quadrant`); they are exported only when they have a value and are accepted on
load, so an export loads back unchanged. A ledger record carries its `Applications` and a refund
its `Status` and `AppliedAmount` (`io.ledger_state`), so a later cycle sees the same open amounts
after export → load. PaymentEventStats (the run documents) is read and written by
`io.run_documents`.
"""

from __future__ import annotations

from typing import Any

from paymentprocess.domain.addresses import parse_us_address
from paymentprocess.io.fields import (
    DATE,
    IDENTIFIER,
    INT,
    MODIFIERS,
    MONEY,
    SMALL_INT,
    TEXT,
    TEXT_LIST,
    choice,
)
from paymentprocess.io.ledger_state import ledger_opening, refund_applied
from paymentprocess.io.reference_collections import (
    BENEFIT_PLAN,
    BUSINESS,
    FUNDING_SOURCE,
    INCLUSION_CRITERIA,
    INTEREST_CONFIG,
    PAYER,
    PAYMENT_EVENT,
    PROCESS_CODE_EX,
    SEQUENCE_NUMBERS,
    SERVICE_CODE,
)
from paymentprocess.io.spec import Children, Collection, Field, Group, Key, Row, TextForm
from paymentprocess.storage import tables as t

_AMOUNTS = (
    ("BilledAmount", "billed_amount"),
    ("AllowedAmount", "allowed_amount"),
    ("DeductibleAmount", "deductible_amount"),
    ("CoinsuranceAmount", "coinsurance_amount"),
    ("CopayAmount", "copay_amount"),
    ("OtherAdjustmentAmount", "other_adjustment_amount"),
)


def _payee_key(row: Row) -> list[tuple[str, str]]:
    """A payee's key: `TaxID|NPI` for a provider, `MemberID` for a member (both required)."""
    if "payment_center_type" not in row:
        return []  # missing or invalid: reported already
    if row["payment_center_type"] == "Member":
        needed = [("MemberID", "member_id")]
    else:
        needed = [("TaxID", "tax_id"), ("NPI", "npi")]
    missing = [
        (name, "is required for this PaymentCenterType") for name, c in needed if not row.get(c)
    ]
    if not missing:
        row["payee_key"] = "|".join(str(row[c]) for _, c in needed)
    return missing


def _own_parent(row: Row) -> list[tuple[str, str]]:
    """A missing, null or blank ParentClaimCore_ID is the claim's own id (an original is its own
    parent), so every reader of a chain (history, cycle, validation, refunds) sees one value."""
    parent = row.get("parent_claim_core_id")
    if parent is None or not str(parent).strip():
        row["parent_claim_core_id"] = row.get("claim_core_id")
    return []


SERVICE_LINES = Children(
    name="ServiceLines",
    table=t.service_line,
    parent_column="claim_core_id",
    key_field="LineNumber",
    fields=(
        Field("LineNumber", "line_number", SMALL_INT, required=True),
        Field("ProcedureCode", "procedure_code", TEXT),
        Field("Quadrant", "quadrant", TEXT, only_when_set=True),
        Field("Units", "units", SMALL_INT),
        Field("ServiceDate", "service_date", DATE),
        *(
            Field(name, column, MONEY, required=True)
            if name == "AllowedAmount"
            else Field(name, column, MONEY, default=0)
            for name, column in _AMOUNTS
        ),
        Field("LineItemControlNumber", "line_item_control_number", TEXT, only_when_set=True),
        Field("Modifiers", "modifiers", MODIFIERS, only_when_set=True),
    ),
)

_PAYMENT_CENTER_ADDRESS = Group(
    "Address",
    (
        Field("Line1", "address_line1", TEXT),
        Field("Line2", "address_line2", TEXT),
        Field("City", "address_city", TEXT),
        Field("State", "address_state", TEXT),
        Field("Zip", "address_zip", TEXT),
    ),
    after="VendorName",
)

_BILLING = "billing_provider_address"


def _billing_address_parts(text: str) -> dict[str, Any]:
    """The structured columns of a text BillingProviderAddress (`domain.addresses`)."""
    parts = parse_us_address(text)
    return {
        f"{_BILLING}_line1": parts.line1,
        f"{_BILLING}_line2": parts.line2,
        f"{_BILLING}_city": parts.city,
        f"{_BILLING}_state": parts.state,
        f"{_BILLING}_zip": parts.zip,
    }


_BILLING_PROVIDER_ADDRESS = Group(
    "BillingProviderAddress",
    tuple(
        Field(part, f"{_BILLING}_{part.lower()}", TEXT)
        for part in ("Line1", "Line2", "City", "State", "Zip")
    ),
    after="BillingProviderName",
    text=TextForm(_BILLING, _billing_address_parts),
)

PAYMENT_CENTER = Collection(
    "PaymentCenter",
    t.payment_center,
    (
        Field("PaymentCenter_ID", "payment_center_id", INT, required=True),
        Field(
            "PaymentCenterType",
            "payment_center_type",
            choice("Provider", "Member"),
            required=True,
        ),
        Field("TaxID", "tax_id", IDENTIFIER),
        Field("NPI", "npi", IDENTIFIER),
        Field("MemberID", "member_id", TEXT),
        Field("VendorName", "vendor_name", TEXT),
        Field("ContractType", "contract_type", TEXT),
        Field("PaymentMethod", "payment_method", choice("CHECK", "EFT")),
        Field("BankRoutingNumber", "bank_routing_number", TEXT),
        Field("BankAccountNumber", "bank_account_number", TEXT),
        Field("CreatedPaymentEvent_ID", "created_payment_event_id", TEXT, only_when_set=True),
        # the payment outputs (docs/outputs.md)
        Field("BankAccountType", "bank_account_type", choice("C", "S"), only_when_set=True),
        Field("NameFirst", "name_first", TEXT, only_when_set=True),
        Field("NameLast", "name_last", TEXT, only_when_set=True),
        Field("EraReceiverQualifier", "era_receiver_qualifier", TEXT, only_when_set=True),
        Field("EraReceiverId", "era_receiver_id", TEXT, only_when_set=True),
    ),
    groups=(_PAYMENT_CENTER_ADDRESS,),
    keys=(
        Key(("payment_center_id",), "PaymentCenter_ID"),
        Key(
            ("payment_center_type", "payee_key"),
            "payee (PaymentCenterType, TaxID|NPI or MemberID)",
        ),
    ),
    derive=_payee_key,
    derived_columns=("payee_key",),
)

CLAIM_FIN_CORE = Collection(
    "ClaimFinCore",
    t.claim_fin_core,
    (
        Field("ClaimCore_ID", "claim_core_id", TEXT, required=True),
        Field("ParentClaimCore_ID", "parent_claim_core_id", TEXT),
        Field("FrequencyCode", "frequency_code", TEXT, required=True),
        Field("PaymentEvent_ID", "payment_event_id", TEXT),
        Field("Status", "status", choice("Unpaid", "Paid"), default="Unpaid"),
        Field("PaidAmount", "paid_amount", MONEY),
        Field("PaidPaymentEvent_ID", "paid_payment_event_id", TEXT),
        Field("TaxID", "tax_id", IDENTIFIER),
        Field("NPI", "npi", IDENTIFIER),
        Field("MemberID", "member_id", TEXT),
        Field("BillingProviderName", "billing_provider_name", TEXT),
        Field("ContractType", "contract_type", TEXT),
        Field("BenefitPlan_ID", "benefit_plan_id", TEXT),
        Field("ReceivedDate", "received_date", DATE, required=True),
        Field("ServiceBeginDate", "service_begin_date", DATE),
        Field("ServiceEndDate", "service_end_date", DATE),
        Field("VoidClaimCore_ID", "void_claim_core_id", TEXT),
        Field("OriginalClaimCore_ID", "original_claim_core_id", TEXT),
        Field("ProcessCodes", "process_codes", TEXT_LIST),
        *(Field(name, column, MONEY) for name, column in _AMOUNTS),
        Field("ClaimReference", "claim_reference", TEXT, only_when_set=True),
        Field("PatientControlNumber", "patient_control_number", TEXT, only_when_set=True),
        Field("PatientFirstName", "patient_first_name", TEXT, only_when_set=True),
        Field("PatientLastName", "patient_last_name", TEXT, only_when_set=True),
    ),
    groups=(_BILLING_PROVIDER_ADDRESS,),
    children=SERVICE_LINES,
    keys=(
        Key(("claim_core_id",), "ClaimCore_ID"),
        Key(("claim_reference",), "ClaimReference"),
    ),
    derive=_own_parent,
)

APPLICATIONS = Children(
    name="Applications",
    table=t.over_and_under_payment_application,
    parent_column="over_and_under_payment_id",
    key_field=None,
    fields=(
        Field("PaymentEvent_ID", "payment_event_id", TEXT, required=True),
        Field("Kind", "kind", choice("offset", "refund", "carry_in"), required=True),
        Field("Amount", "amount", MONEY, required=True),
        Field("Refund_ID", "refund_id", TEXT),
    ),
)

OVER_AND_UNDER_PAYMENT = Collection(
    "OverAndUnderPayment",
    t.over_and_under_payment,
    (
        Field("OverAndUnderPayment_ID", "over_and_under_payment_id", INT, required=True),
        Field("PaymentCenter_ID", "payment_center_id", INT, required=True),
        Field("PaymentEvent_ID", "payment_event_id", TEXT),
        Field("Type", "type", choice("OverPayment", "UnderPayment"), required=True),
        Field("TotalAmount", "total_amount", MONEY, required=True),
        Field("RemainingAmount", "opening_remaining_amount", MONEY),
        # derived on export (io.documents); accepted and ignored on load
        Field("AppliedThisCycle", "applied_this_cycle", MONEY),
        Field("CreatedDate", "created_date", DATE),
        Field("ClaimChain_ID", "claim_chain_id", TEXT, only_when_set=True),
    ),
    children=APPLICATIONS,
    keys=(Key(("over_and_under_payment_id",), "OverAndUnderPayment_ID"),),
    aliases={"RemaingAmount": "RemainingAmount"},
    derive_with_children=ledger_opening,
    virtual_columns=("applied_this_cycle",),
)

REFUND = Collection(
    "Refund",
    t.refund,
    (
        Field("Refund_ID", "refund_id", TEXT, required=True),
        Field("OriginalClaimCore_ID", "original_claim_core_id", TEXT, required=True),
        Field("Amount", "amount", MONEY, required=True),
        Field("ReceivedDate", "received_date", DATE),
        Field("Status", "refund_status", choice("Open", "Applied")),
        Field("AppliedAmount", "opening_applied_amount", MONEY),
        Field("RemainingAmount", "refund_remaining", MONEY, exported=False),
    ),
    keys=(Key(("refund_id",), "Refund_ID"),),
    derive=refund_applied,
    virtual_columns=("refund_status",),
)

PAYMENT_REGISTER = Collection(
    "PaymentRegister",
    t.payment_register,
    (
        Field("Payment_ID", "payment_id", TEXT, required=True),
        Field("PaymentEvent_ID", "payment_event_id", TEXT, required=True),
        Field("PaymentCenter_ID", "payment_center_id", INT, required=True),
        Field("Amount", "amount", MONEY, required=True),
        Field("Method", "method", choice("CHECK", "EFT"), required=True),
        Field("CheckNumber", "check_number", TEXT, required=True),
        Field("PaymentDate", "payment_date", DATE, required=True),
    ),
    keys=(Key(("payment_id",), "Payment_ID"),),
)

COLLECTIONS: tuple[Collection, ...] = (
    PAYMENT_EVENT,
    BUSINESS,
    INTEREST_CONFIG,
    PAYER,
    FUNDING_SOURCE,
    INCLUSION_CRITERIA,
    BENEFIT_PLAN,
    PAYMENT_CENTER,
    CLAIM_FIN_CORE,
    OVER_AND_UNDER_PAYMENT,
    REFUND,
    SEQUENCE_NUMBERS,
    SERVICE_CODE,
    PROCESS_CODE_EX,
    PAYMENT_REGISTER,
)

BY_NAME = {c.name: c for c in COLLECTIONS}
IMPORTABLE = tuple(c for c in COLLECTIONS if c.importable)
STATS_COLLECTION = "PaymentEventStats"
EXPORTED_NAMES = (*(c.name for c in COLLECTIONS), STATS_COLLECTION)
