"""Reference and configuration: the seeds' Business, InterestConfig, FundingSource,
InclusionCriteria, BenefitPlan, ServiceCode, ProcessCodeEx and SequenceNumbers collections, and
the health plan as payer of the payment outputs (`payer`, revision 0004)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Integer, String, Table

from paymentprocess.domain.columns import PAYEE_ADDRESS
from paymentprocess.storage.tables.base import Money, extra_json, metadata

# Columns added for the payment outputs (835, NACHA, checks; migration 0004), all nullable text.
PAYER_TEXT = (
    "legal_name",
    "tin",
    "payer_identifier",
    *PAYEE_ADDRESS,
    "edi_contact_name",
    "edi_contact_phone",
    "edi_contact_email",
    "edi_contact_url",
    "isa_sender_qualifier",
    "isa_sender_id",
    "gs_sender_code",
    "usage_indicator",  # P | T
)
FUNDING_SOURCE_ACH = (
    "ach_company_id",
    "ach_company_name",
    "ach_immediate_destination",
    "ach_immediate_destination_name",
    "ach_immediate_origin",
    "ach_immediate_origin_name",
    "trn04_code",
    "positive_pay_profile",
)


business = Table(
    "business",
    metadata,
    Column("business_id", String, primary_key=True),
    Column("name", String),
    Column("custom_interest_days", Integer),
    extra_json(),
)

interest_config = Table(
    "interest_config",
    metadata,
    Column("interest_config_id", Integer, primary_key=True, autoincrement=True),
    Column("contract_type", String, nullable=False),  # CMS | Contract | Member
    Column("annual_rate_ppm", BigInteger, nullable=False),  # 0.04125 → 41250
    Column("grace_days", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),  # inclusive; NULL = open-ended
    extra_json(),
)

funding_source = Table(
    "funding_source",
    metadata,
    Column("funding_source_id", String, primary_key=True),
    Column("name", String),
    Money("minimum_payment", nullable=False),
    Column("bank_routing_number", String),
    Column("bank_account_number", String),
    extra_json(),
    # payment outputs (docs/outputs.md): the payer and the ACH originator of this account
    *(Column(name, String) for name in ("payer_id", *FUNDING_SOURCE_ACH)),
)

inclusion_criteria = Table(
    "inclusion_criteria",
    metadata,
    Column("inclusion_criteria_id", String, primary_key=True),
    Column("benefit_plan_ids", JSON),  # list of BenefitPlan_ID; empty = any
    Column("include_payment_centers", JSON),  # list of PaymentCenter_ID or payee key; empty = any
    Column("exclude_payment_centers", JSON),
    extra_json(),
)

benefit_plan = Table(
    "benefit_plan",
    metadata,
    Column("benefit_plan_id", String, primary_key=True),
    Column("name", String),
    extra_json(),
    Column("claim_filing_indicator", String),  # CLP06: 12-17, AM, CH, ... (docs/import-format.md)
)

service_code = Table(
    "service_code",
    metadata,
    Column("service_code", String, primary_key=True),
    Column("description", String),
    extra_json(),
)

process_code_ex = Table(
    "process_code_ex",
    metadata,
    Column("process_code", String, primary_key=True),
    Column("holds_payment", Boolean, nullable=False),
    Column("description", String),
    extra_json(),
)

sequence_numbers = Table(
    "sequence_numbers",
    metadata,
    Column(
        "name", String, primary_key=True
    ),  # PaymentCenter | OverAndUnderPayment | CheckNumber:<FS>
    Column("value", BigInteger, nullable=False),  # the last number used
    extra_json(),
)

# The health plan as payer of the 835 (N1*PR, REF*2U, PER*BL, TRN03) and sender of the files;
# a funding source names its payer (funding_source.payer_id).
payer = Table(
    "payer",
    metadata,
    Column("payer_id", String, primary_key=True),
    *(Column(name, String) for name in PAYER_TEXT),
    extra_json(),
)

# One row per file written for an event (O-4): the values allocated on first issue (ISA13/GS06,
