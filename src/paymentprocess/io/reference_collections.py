"""Appendix A, reference and configuration collections: events, businesses, interest, funding.

Payment events, businesses, interest configuration, funding sources, inclusion criteria, benefit
plans, sequence numbers, service codes and process-code exceptions: small tables loaded as they
are. PaymentEvent `Stage` takes the legacy stage names (`domain.stages`); SequenceNumbers also
comes in MongoDB's counters shape. `io.collections` assembles them with the claims, payees and ledger in Appendix A order.
"""

from __future__ import annotations

from paymentprocess.domain.stages import LEGACY_STAGE_ALIASES, STAGES
from paymentprocess.io.fields import (
    ACH_COMPANY_ID,
    ACH_ORIGIN,
    BOOL,
    CLAIM_FILING_INDICATORS,
    DATE,
    ID_LIST,
    INT,
    MONEY,
    RATE,
    ROUTING,
    SMALL_INT,
    TEXT,
    TEXT_LIST,
    TIN,
    choice,
    text_up_to,
)
from paymentprocess.io.spec import Collection, Field, Group, Key
from paymentprocess.storage import tables as t

STAGE = choice(*STAGES, aliases=LEGACY_STAGE_ALIASES)  # io.load adds PAYMENT_STAGE_ALIASES

PAYMENT_EVENT = Collection(
    "PaymentEvent",
    t.payment_event,
    (
        Field("PaymentEvent_ID", "payment_event_id", TEXT, required=True),
        Field("Business_ID", "business_id", TEXT),
        Field("InclusionCriteria_ID", "inclusion_criteria_id", TEXT),
        Field("FundingSource_ID", "funding_source_id", TEXT),
        Field("PaymentDueDate", "payment_due_date", DATE, required=True),
        Field("PaymentEventType", "payment_event_type", choice("Provider", "DMR"), required=True),
        Field("Stage", "stage", STAGE, default="New"),
        # The claims' fingerprint at this system's last Dry Run: a Final Run needs it.
        Field("ClaimsFingerprint", "claims_fingerprint", TEXT, only_when_set=True),
    ),
    keys=(Key(("payment_event_id",), "PaymentEvent_ID"),),
)

BUSINESS = Collection(
    "Business",
    t.business,
    (
        Field("Business_ID", "business_id", TEXT, required=True),
        Field("Name", "name", TEXT),
        Field("CustomInterestDays", "custom_interest_days", SMALL_INT),
    ),
    keys=(Key(("business_id",), "Business_ID"),),
)

INTEREST_CONFIG = Collection(
    "InterestConfig",
    t.interest_config,
    (
        Field("ContractType", "contract_type", choice("CMS", "Contract", "Member"), required=True),
        Field("AnnualRate", "annual_rate_ppm", RATE, required=True),
        Field("GraceDays", "grace_days", SMALL_INT, required=True),
        Field("EffectiveFrom", "effective_from", DATE, required=True),
        Field("EffectiveTo", "effective_to", DATE),
    ),
    keys=(Key(("contract_type", "effective_from"), "ContractType+EffectiveFrom"),),
    order=("interest_config_id",),
)

FUNDING_SOURCE = Collection(
    "FundingSource",
    t.funding_source,
    (
        Field("FundingSource_ID", "funding_source_id", TEXT, required=True),
        Field("Name", "name", TEXT),
        Field("MinimumPayment", "minimum_payment", MONEY, required=True),
        Field("BankRoutingNumber", "bank_routing_number", TEXT),
        Field("BankAccountNumber", "bank_account_number", TEXT),
        # the payment outputs (docs/outputs.md): exported only when set, so older exports load
        Field("Payer_ID", "payer_id", TEXT, only_when_set=True),
        Field("AchCompanyId", "ach_company_id", ACH_COMPANY_ID, only_when_set=True),
        Field("AchCompanyName", "ach_company_name", text_up_to(16), only_when_set=True),
        Field("AchImmediateDestination", "ach_immediate_destination", ROUTING, only_when_set=True),
        Field(
            "AchImmediateDestinationName",
            "ach_immediate_destination_name",
            text_up_to(23),
            only_when_set=True,
        ),
        Field("AchImmediateOrigin", "ach_immediate_origin", ACH_ORIGIN, only_when_set=True),
        Field(
            "AchImmediateOriginName",
            "ach_immediate_origin_name",
            text_up_to(23),
            only_when_set=True,
        ),
        Field("Trn04Code", "trn04_code", text_up_to(50), only_when_set=True),
        Field("PositivePayProfile", "positive_pay_profile", TEXT, only_when_set=True),
    ),
    keys=(Key(("funding_source_id",), "FundingSource_ID"),),
)

# The health plan as payer of the 835 and sender of the files (OUTPUTS.md §1).
PAYER = Collection(
    "Payer",
    t.payer,
    (
        Field("Payer_ID", "payer_id", TEXT, required=True),
        Field("LegalName", "legal_name", text_up_to(60)),
        Field("TIN", "tin", TIN),
        Field("PayerIdentifier", "payer_identifier", text_up_to(50)),
        Field("EdiContactName", "edi_contact_name", text_up_to(60)),
        Field("EdiContactPhone", "edi_contact_phone", text_up_to(256)),
        Field("EdiContactEmail", "edi_contact_email", text_up_to(256)),
        Field("EdiContactUrl", "edi_contact_url", text_up_to(256)),
        Field("IsaSenderQualifier", "isa_sender_qualifier", text_up_to(2)),
        Field("IsaSenderId", "isa_sender_id", text_up_to(15)),
        Field("GsSenderCode", "gs_sender_code", text_up_to(15)),
        Field("UsageIndicator", "usage_indicator", choice("P", "T")),
    ),
    groups=(
        Group(
            "Address",
            (
                Field("Line1", "address_line1", text_up_to(55)),
                Field("Line2", "address_line2", text_up_to(55)),
                Field("City", "address_city", text_up_to(30)),
                Field("State", "address_state", text_up_to(2)),
                Field("Zip", "address_zip", text_up_to(15)),
            ),
            after="PayerIdentifier",
        ),
    ),
    keys=(Key(("payer_id",), "Payer_ID"),),
)

INCLUSION_CRITERIA = Collection(
    "InclusionCriteria",
    t.inclusion_criteria,
    (
        Field("InclusionCriteria_ID", "inclusion_criteria_id", TEXT, required=True),
        Field("BenefitPlan_IDs", "benefit_plan_ids", TEXT_LIST),
        Field("IncludePaymentCenters", "include_payment_centers", ID_LIST),
        Field("ExcludePaymentCenters", "exclude_payment_centers", ID_LIST),
    ),
    keys=(Key(("inclusion_criteria_id",), "InclusionCriteria_ID"),),
)

BENEFIT_PLAN = Collection(
    "BenefitPlan",
    t.benefit_plan,
    (
        Field("BenefitPlan_ID", "benefit_plan_id", TEXT, required=True),
        Field("Name", "name", TEXT),
        Field(
            "ClaimFilingIndicator",
            "claim_filing_indicator",
            choice(*CLAIM_FILING_INDICATORS),
            only_when_set=True,
        ),
    ),
    keys=(Key(("benefit_plan_id",), "BenefitPlan_ID"),),
)

SEQUENCE_NUMBERS = Collection(
    "SequenceNumbers",
    t.sequence_numbers,
    (
        Field("Name", "name", TEXT, required=True),
        Field("Value", "value", INT, required=True),
    ),
    keys=(Key(("name",), "Name"),),
    aliases={"seq": "Value"},  # MongoDB's counters pattern: {"_id": "PaymentCenter", "seq": 1010}
    mongo_id_field="Name",
)

SERVICE_CODE = Collection(
    "ServiceCode",
    t.service_code,
    (
        Field("ServiceCode", "service_code", TEXT, required=True),
        Field("Description", "description", TEXT),
    ),
    keys=(Key(("service_code",), "ServiceCode"),),
)

PROCESS_CODE_EX = Collection(
    "ProcessCodeEx",
    t.process_code_ex,
    (
        Field("ProcessCode", "process_code", TEXT, required=True),
        Field("HoldsPayment", "holds_payment", BOOL, required=True),
        Field("Description", "description", TEXT),
    ),
    keys=(Key(("process_code",), "ProcessCode"),),
)
