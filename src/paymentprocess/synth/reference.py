"""The small tables of a generated cycle: configuration, reference data and payment events.

Businesses (two of three with `CustomInterestDays`), dated interest rates for CMS and Contract
(and Member for DMR) changing every six months from three years before the payment date to the
half-year after it, one payer (the health plan: TIN, address, EDI contact, ISA ids), one funding
source of that payer with a $5.00 minimum payment and its ACH originator fields, the inclusion criteria
(benefit plans BP-001..BP-008 inside, BP-009 and BP-010 known but outside), ServiceCode and
ProcessCodeEx reference data (P100 holds payment), claim filing indicators on the plans, the prior Final events and the current `New`
event. These are a few dozen rows, built in plain Python from the seed.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from paymentprocess.synth.plan import CyclePlan
from paymentprocess.synth.rng import Rng

FUNDING_SOURCE_ID = "FS-1"
PAYER_ID = "PAYER-1"
PAYER_TIN = "362514789"
# CLP06 claim filing indicators of the benefit plans, in turn: DMO, PPO, HMO, POS
FILING_INDICATORS = ("17", "12", "HM", "13")
INCLUSION_CRITERIA_ID = "IC-1"
MINIMUM_PAYMENT = 500  # cents
PLANS_INSIDE = tuple(f"BP-{i:03d}" for i in range(1, 9))
PLANS_OUTSIDE = ("BP-009", "BP-010")
UNKNOWN_PLAN = "BP-999"
HOLDING_CODE, INFO_CODES = "P100", ("P200", "P300")
UNKNOWN_SERVICE_CODE = "D9999"
SERVICE_CODES = {
    "D0120": "Periodic oral evaluation", "D0140": "Limited oral evaluation",
    "D0150": "Comprehensive oral evaluation", "D0210": "Intraoral complete series of images",
    "D0220": "Intraoral periapical first image", "D0274": "Bitewings, four images",
    "D0330": "Panoramic image", "D1110": "Prophylaxis, adult", "D1120": "Prophylaxis, child",
    "D1206": "Topical fluoride varnish", "D1351": "Sealant, per tooth",
    "D2140": "Amalgam, one surface", "D2150": "Amalgam, two surfaces",
    "D2330": "Resin composite, one surface, anterior", "D2391": "Resin composite, one surface, posterior",
    "D2740": "Crown, porcelain/ceramic", "D2750": "Crown, porcelain fused to high noble metal",
    "D3310": "Endodontic therapy, anterior", "D3330": "Endodontic therapy, molar",
    "D4341": "Periodontal scaling and root planing", "D4910": "Periodontal maintenance",
    "D5110": "Complete denture, maxillary", "D7140": "Extraction, erupted tooth",
    "D7210": "Extraction, surgical", "D9110": "Palliative treatment of dental pain",
}  # fmt: skip
RATE_BASE_PPM = {"CMS": 40_000, "Contract": 30_000, "Member": 20_000}
GRACE_DAYS = {"CMS": 30, "Contract": 45, "Member": 30}
BUSINESSES = (("BUS-1", "Northwind Health Plan", None), ("BUS-2", "Bluebird Dental", 30),
              ("BUS-3", "Cascade Benefits", 20))  # fmt: skip


def prior_event_ids(plan: CyclePlan) -> list[str]:
    """Prior events, newest first: <event>-H1 is one month before the current cycle."""
    return [f"{plan.event_id}-H{p}" for p in range(1, plan.prior_events + 1)]


def prior_due_date(plan: CyclePlan, p: int) -> dt.date:
    return plan.due_date - dt.timedelta(days=30 * p)


def event_business(plan: CyclePlan) -> str:
    """Even seeds use BUS-2 (CustomInterestDays 30), odd seeds BUS-1 (the rows' grace days)."""
    return "BUS-2" if plan.seed % 2 == 0 else "BUS-1"


def reference_frames(plan: CyclePlan) -> dict[str, pl.DataFrame]:
    """Every small table, keyed by table name."""
    return {
        "business": pl.DataFrame(
            [{"business_id": b, "name": n, "custom_interest_days": d} for b, n, d in BUSINESSES],
            schema={"business_id": pl.String, "name": pl.String, "custom_interest_days": pl.Int64},
        ),
        "interest_config": _interest_rows(plan),
        "payer": _payer(plan),
        "funding_source": pl.DataFrame(
            {
                "funding_source_id": [FUNDING_SOURCE_ID],
                "name": ["Claims operating account"],
                "minimum_payment": [MINIMUM_PAYMENT],
                "bank_routing_number": ["021000021"],
                "bank_account_number": ["000123456789"],
                "payer_id": [PAYER_ID],
                "ach_company_id": ["1" + PAYER_TIN],
                "ach_company_name": ["NORTHWIND HEALTH"],
                "ach_immediate_destination": ["021000021"],
                "ach_immediate_destination_name": ["JPMORGAN CHASE BANK"],
                "ach_immediate_origin": ["1" + PAYER_TIN],
                "ach_immediate_origin_name": ["NORTHWIND HEALTH PLAN"],
                "trn04_code": [None],
                "positive_pay_profile": ["generic-csv-v1"],
            },
            schema_overrides={"trn04_code": pl.String},
        ),
        "inclusion_criteria": pl.DataFrame(
            {
                "inclusion_criteria_id": [INCLUSION_CRITERIA_ID],
                "benefit_plan_ids": [json.dumps(list(PLANS_INSIDE))],
                "include_payment_centers": ["[]"],
                "exclude_payment_centers": ["[]"],
            }
        ),
        "benefit_plan": pl.DataFrame(
            {
                "benefit_plan_id": [*PLANS_INSIDE, *PLANS_OUTSIDE],
                "name": [f"Dental plan {p[-3:]}" for p in (*PLANS_INSIDE, *PLANS_OUTSIDE)],
                "claim_filing_indicator": [
                    FILING_INDICATORS[n % len(FILING_INDICATORS)]
                    for n in range(len(PLANS_INSIDE) + len(PLANS_OUTSIDE))
                ],
            }
        ),
        "service_code": pl.DataFrame(
            {"service_code": list(SERVICE_CODES), "description": list(SERVICE_CODES.values())}
        ),
        "process_code_ex": pl.DataFrame(
            {
                "process_code": [HOLDING_CODE, *INFO_CODES],
                "holds_payment": [True, False, False],
                "description": [
                    "Pending clinical review: hold payment",
                    "Coordination of benefits verified",
                    "Adjusted after appeal",
                ],
            }
        ),
        "payment_event": _events(plan),
    }


def _payer(plan: CyclePlan) -> pl.DataFrame:
    """The one payer: the health plan of the funding source (with --output-defects: no EDI
    contact number, which REMIT_DATA_MISSING reports)."""
    contact = not plan.output_defects
    return pl.DataFrame(
        {
            "payer_id": [PAYER_ID],
            "legal_name": ["Northwind Health Plan"],
            "tin": [PAYER_TIN],
            "payer_identifier": ["NWHP01"],
            "address_line1": ["400 Harbor Way"],
            "address_line2": ["Suite 1200"],
            "address_city": ["Springfield"],
            "address_state": ["IL"],
            "address_zip": ["62701"],
            "edi_contact_name": ["EDI Support"],
            "edi_contact_phone": ["8005550100" if contact else None],
            "edi_contact_email": ["edi@northwind.example" if contact else None],
            "edi_contact_url": [None],
            "isa_sender_qualifier": ["ZZ"],
            "isa_sender_id": ["NWHP"],
            "gs_sender_code": ["NWHP"],
            "usage_indicator": ["T"],
        },
        schema=dict.fromkeys(_PAYER_COLUMNS, pl.String),
    )


_PAYER_COLUMNS = (
    "payer_id", "legal_name", "tin", "payer_identifier", "address_line1", "address_line2",
    "address_city", "address_state", "address_zip", "edi_contact_name", "edi_contact_phone",
    "edi_contact_email", "edi_contact_url", "isa_sender_qualifier", "isa_sender_id",
    "gs_sender_code", "usage_indicator",
)  # fmt: skip


def _interest_rows(plan: CyclePlan) -> pl.DataFrame:
    rng = Rng(plan.seed)
    types = ["CMS", "Contract"] + (["Member"] if plan.event_type == "DMR" else [])
    last_half = 2 * plan.due_date.year + (1 if plan.due_date.month > 6 else 0) + 1
    rows = []
    for half in range(2 * (plan.due_date.year - 3), last_half + 1):
        year, second = divmod(half, 2)
        start = dt.date(year, 7 if second else 1, 1)
        end = dt.date(year, 12, 31) if second else dt.date(year, 6, 30)
        for ct in types:
            step = rng.draw(f"rate:{ct}", half, 81)  # 0..80 steps of 0.125 %
            rows.append({
                "contract_type": ct, "annual_rate_ppm": RATE_BASE_PPM[ct] + 125 * step - 5_000,
                "grace_days": GRACE_DAYS[ct], "effective_from": start, "effective_to": end,
            })  # fmt: skip
    return pl.DataFrame(rows)


def _events(plan: CyclePlan) -> pl.DataFrame:
    event_type = "DMR" if plan.event_type == "DMR" else "Provider"
    prior = prior_event_ids(plan)
    ids = [*prior, plan.event_id]
    dues = [prior_due_date(plan, p) for p in range(1, len(prior) + 1)] + [plan.due_date]
    return pl.DataFrame({
        "payment_event_id": ids,
        "business_id": [BUSINESSES[p % 3][0] for p in range(1, len(prior) + 1)]
        + [event_business(plan)],
        "inclusion_criteria_id": [INCLUSION_CRITERIA_ID] * len(ids),
        "funding_source_id": [FUNDING_SOURCE_ID] * len(ids),
        "payment_due_date": dues,
        "payment_event_type": [event_type] * len(ids),
        "stage": ["Final"] * len(prior) + ["New"],
    })  # fmt: skip
