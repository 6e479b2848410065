"""Payees of a generated cycle: existing ones (PaymentCenter rows) and new ones (claims only).

One frame holds every payee by index: indexes below `plan.existing` are in PaymentCenter with
`PaymentCenter_ID = index + 1`; the others appear only on claims, so the runs find them missing
and create them. Provider payees are keyed "TaxID|NPI" (valid NPIs, nine-digit TINs); DMR payees
are members keyed by MemberID, and their claims name a billing provider shared by four members.
Contract types, payment methods (CHECK/EFT with bank details: routing numbers that pass the ABA
check, account type checking or one in ten savings), names (members also as NameFirst/NameLast)
and addresses are drawn from the seed.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.synth.identifiers import (
    broken_routing,
    member_id,
    npi,
    routing_number,
    tin,
)
from paymentprocess.synth.plan import CyclePlan
from paymentprocess.synth.rng import Rng

SURNAMES = ("Anders", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
            "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen", "Okafor", "Patel", "Quinn",
            "Rossi", "Singh", "Tanaka", "Usman", "Vargas", "Walsh", "Young", "Zhang")  # fmt: skip
GIVEN = ("Alex", "Blair", "Casey", "Dana", "Eli", "Frances", "Gale", "Harper", "Ira", "Jordan",
         "Kai", "Lee", "Morgan", "Noor", "Parker", "Riley", "Sam", "Taylor")  # fmt: skip
PRACTICES = ("Dental Group", "Family Dentistry", "Orthodontics", "Oral Surgery", "Smile Center",
             "Pediatric Dentistry")  # fmt: skip
CITIES = (("Springfield", "IL"), ("Madison", "WI"), ("Columbus", "OH"), ("Austin", "TX"),
          ("Denver", "CO"), ("Portland", "OR"), ("Raleigh", "NC"), ("Tampa", "FL"),
          ("Albany", "NY"), ("Phoenix", "AZ"))  # fmt: skip
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd", "Lake Rd")


def payee_frame(plan: CyclePlan) -> pl.DataFrame:
    """Every payee by `payee` index, with the fields claims and PaymentCenter copy from it."""
    rng = Rng(plan.seed)
    i = pl.col("payee")
    dmr = plan.event_type == "DMR"
    provider = i // 4 if dmr else i
    city = rng.below("city", i, len(CITIES))
    frame = pl.select(pl.int_range(plan.existing + plan.new, dtype=pl.Int64).alias("payee"))
    provider_name = (
        rng.pick("surname", provider, SURNAMES) + " " + rng.pick("practice", provider, PRACTICES)
    )
    given, surname = rng.pick("given", i, GIVEN), rng.pick("surname", i, SURNAMES)
    frame = frame.with_columns(
        tax_id=tin(provider, rng.draw("tin", 0, 10**9)),
        npi=npi(provider, rng.draw("npi", 0, 10**9)),
        member_id=member_id(i, rng.draw("member", 0, 10**10)) if dmr else pl.lit(None, pl.String),
        billing_provider_name=provider_name,
        vendor_name=(given + " " + surname) if dmr else provider_name,
        name_first=given if dmr else pl.lit(None, pl.String),
        name_last=surname if dmr else pl.lit(None, pl.String),
        address_line1=rng.between("street_no", i, 1, 9999).cast(pl.String)
        + " "
        + rng.pick("street", i, STREETS),
        address_city=city.replace_strict(
            dict(enumerate(c for c, _ in CITIES)), return_dtype=pl.String
        ),
        address_state=city.replace_strict(
            dict(enumerate(s for _, s in CITIES)), return_dtype=pl.String
        ),
        address_zip=rng.between("zip", i, 10000, 99999).cast(pl.String),
        contract_type=pl.lit("Member")
        if dmr
        else pl.when(rng.chance("cms", i, 3, 10)).then(pl.lit("CMS")).otherwise(pl.lit("Contract")),
        payment_method=pl.when(rng.chance("eft", i, 2, 5))
        .then(pl.lit("EFT"))
        .otherwise(pl.lit("CHECK")),
    )
    key = pl.col("member_id") if dmr else pl.col("tax_id") + "|" + pl.col("npi")
    eft = pl.col("payment_method") == "EFT"
    return frame.with_columns(
        payee_key=key,
        billing_provider_address=pl.concat_str(  # "12 Oak St, Springfield, IL 62704"
            "address_line1",
            pl.lit(", "),
            "address_city",
            pl.lit(", "),
            "address_state",
            pl.lit(" "),
            "address_zip",
        ),
        # the parts, as a load of that text stores them (domain.addresses.parse_us_address)
        billing_provider_address_line1="address_line1",
        billing_provider_address_line2=pl.lit(None, pl.String),
        billing_provider_address_city="address_city",
        billing_provider_address_state="address_state",
        billing_provider_address_zip="address_zip",
        bank_routing_number=pl.when(eft).then(_routing(plan, rng, i)),
        bank_account_type=pl.when(eft).then(
            pl.when(rng.chance("savings", i, 1, 10)).then(pl.lit("S")).otherwise(pl.lit("C"))
        ),
        bank_account_number=pl.when(eft).then(
            rng.between("account", i, 10**9, 10**12 - 1).cast(pl.String).str.zfill(12)
        ),
    )


def _routing(plan: CyclePlan, rng: Rng, i: pl.Expr) -> pl.Expr:
    """A valid routing number; with --output-defects every tenth payee's fails the ABA check."""
    valid = routing_number(i, rng.between("routing", i, 0, 999_999))
    if not plan.output_defects:
        return valid
    return pl.when(i % 10 == 3).then(broken_routing(valid)).otherwise(valid)


def payment_center_rows(plan: CyclePlan, payees: pl.DataFrame) -> pl.DataFrame:
    """PaymentCenter rows of the existing payees."""
    dmr = plan.event_type == "DMR"
    return payees.filter(pl.col("payee") < plan.existing).select(
        payment_center_id=pl.col("payee") + 1,
        payment_center_type=pl.lit("Member" if dmr else "Provider"),
        payee_key="payee_key",
        tax_id=pl.lit(None, pl.String) if dmr else pl.col("tax_id"),
        npi=pl.lit(None, pl.String) if dmr else pl.col("npi"),
        member_id="member_id",
        vendor_name="vendor_name",
        address_line1="address_line1",
        address_city="address_city",
        address_state="address_state",
        address_zip="address_zip",
        contract_type="contract_type",
        payment_method="payment_method",
        bank_routing_number="bank_routing_number",
        bank_account_number="bank_account_number",
        bank_account_type="bank_account_type",
        name_first="name_first",
        name_last="name_last",
    )
