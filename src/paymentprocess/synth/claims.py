"""Claims as stored: skeleton + payee fields + header totals + claim-level data errors.

Each claim copies its payee's TaxID, NPI, MemberID, billing provider name and address and
contract type, and gets a patient control number and the patient's name. Claim-level errors are applied here: a broken NPI check digit, an eight-digit TIN,
a missing payee id. Header totals are the line sums except on a few fresh claims where they are
NULL (the runs default them to the line sums) or slightly higher than the lines (so the Final Run
reports ESTIMATE_DIFFERS). History claims get Status `Paid`, PaidAmount = their payable (negated
for a void) and PaidPaymentEvent_ID.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.domain.columns import BILLING_ADDRESS
from paymentprocess.storage.tables import CLAIM_MONEY, claim_fin_core
from paymentprocess.synth.identifiers import broken_npi, numbered
from paymentprocess.synth.payees import GIVEN, SURNAMES
from paymentprocess.synth.plan import CyclePlan
from paymentprocess.synth.rng import Rng

PAYEE_FIELDS = ("tax_id", "npi", "member_id", "billing_provider_name", "billing_provider_address",
                *BILLING_ADDRESS, "contract_type")  # fmt: skip
UNSET = ("claim_reference", "created_at", "extra", "original_claim_core_id")  # always NULL here
CLAIM_COLUMNS = tuple(c.name for c in claim_fin_core.columns if c.name not in UNSET)


def finish_claims(
    plan: CyclePlan, skeleton: pl.DataFrame, payees: pl.DataFrame, totals: pl.DataFrame
) -> pl.DataFrame:
    """The claim_fin_core rows, ordered by claim id."""
    frame = skeleton.join(
        payees.select("payee", *PAYEE_FIELDS, "name_first", "name_last"), on="payee", how="left"
    )
    frame = frame.join(totals, on="num", how="left")
    frame = _patients(plan, frame)
    frame = _payee_errors(plan, frame)
    frame = _headers(plan, frame)
    paid = pl.col("status") == "Paid"
    frame = frame.with_columns(
        paid_amount=pl.when(paid).then(
            pl.when(pl.col("frequency_code") == "8").then(-pl.col("payable")).otherwise("payable")
        ),
        paid_payment_event_id=pl.when(paid).then("payment_event_id"),
    )
    return frame.sort("num").select(CLAIM_COLUMNS)


def _patients(plan: CyclePlan, frame: pl.DataFrame) -> pl.DataFrame:
    """The 837 patient control number (the provider's, `PCN` + the claim number) and the
    patient's name: a DMR claim's patient is its member payee, a provider claim's is drawn."""
    rng = Rng(plan.seed)
    num = pl.col("num")
    dmr = plan.event_type == "DMR"
    return frame.with_columns(
        patient_control_number=numbered("PCN", num),
        patient_first_name=pl.col("name_first") if dmr else rng.pick("patient_given", num, GIVEN),
        patient_last_name=pl.col("name_last") if dmr else rng.pick("patient_sur", num, SURNAMES),
    )


def _payee_errors(plan: CyclePlan, frame: pl.DataFrame) -> pl.DataFrame:
    role = pl.col("role")
    missing = role == "MISSING_PAYEE_ID"
    even = pl.col("pos") % 2 == 0
    dmr = plan.event_type == "DMR"
    return frame.with_columns(
        npi=pl.when(role == "INVALID_NPI")
        .then(broken_npi(pl.col("npi")))
        .when(missing & even & (not dmr))
        .then(pl.lit(None, pl.String))
        .otherwise("npi"),
        tax_id=pl.when(role == "INVALID_TIN")
        .then(pl.col("tax_id").str.slice(1))
        .when(missing & ~even & (not dmr))
        .then(pl.lit(None, pl.String))
        .otherwise("tax_id"),
        member_id=pl.when(missing & dmr).then(pl.lit(None, pl.String)).otherwise("member_id"),
    )


def _headers(plan: CyclePlan, frame: pl.DataFrame) -> pl.DataFrame:
    rng = Rng(plan.seed)
    delta = rng.between("header_delta", pl.col("num"), 1, 2500)
    bumped = {"billed_amount", "allowed_amount"}
    return frame.with_columns(
        pl.when(pl.col("header_null"))
        .then(pl.lit(None, pl.Int64))
        .when(pl.col("header_diff") & pl.lit(m in bumped))
        .then(pl.col(m) + delta)
        .otherwise(pl.col(m))
        .alias(m)
        for m in CLAIM_MONEY
    )
