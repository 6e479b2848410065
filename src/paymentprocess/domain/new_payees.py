"""The payment_center rows of the payees a Final Run creates (the Dry Run flags them NEW).

Shared by the engine (persist creates them) and the rules (what a new payee will lack)."""

from __future__ import annotations

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.run_config import RunConfig


def new_payee_details(claims: pl.DataFrame, cycle: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """Rows for payment_center of the payees to create, from each one's smallest claim id.

    A provider's name is the claim's BillingProviderName, its Address the claim's
    BillingProviderAddress in parts (Line1, Line2, City, State, Zip); members get neither."""
    new_keys = cycle.filter(pl.col("is_new")).select(col.PAYEE_KEY)
    first = (
        claims.join(new_keys, on=col.PAYEE_KEY, how="semi")
        .sort("claim_core_id")
        .unique(col.PAYEE_KEY, keep="first", maintain_order=True)
    )
    member = cfg.event_type == "DMR"
    return first.select(
        pl.col(col.PAYEE_KEY).alias("payee_key"),
        pl.lit(cfg.payee_type).alias("payment_center_type"),
        pl.lit(None, pl.String).alias("tax_id") if member else pl.col("tax_id"),
        pl.lit(None, pl.String).alias("npi") if member else pl.col("npi"),
        pl.col("member_id") if member else pl.lit(None, pl.String).alias("member_id"),
        pl.lit(None, pl.String).alias("vendor_name")
        if member
        else pl.col("billing_provider_name").alias("vendor_name"),
        *(
            pl.lit(None, pl.String).alias(to) if member else pl.col(given).alias(to)
            for given, to in zip(col.BILLING_ADDRESS, col.PAYEE_ADDRESS, strict=True)
        ),
        pl.col("payee_contract_type").alias("contract_type"),
        pl.lit("CHECK").alias("payment_method"),
    ).sort("payee_key")


def first_claims(claims: pl.DataFrame) -> pl.DataFrame:
    """Each payee key's smallest claim, with what `new_payee_details` reads: enough to create
    any of the cycle's new payees, for a partition of the cycle or for all of it."""
    return (
        claims.filter(pl.col(col.PAYEE_KEY).is_not_null())
        .select(
            col.PAYEE_KEY,
            "claim_core_id",
            "tax_id",
            "npi",
            "member_id",
            "billing_provider_name",
            *col.BILLING_ADDRESS,
            "payee_contract_type",
        )
        .sort("claim_core_id")
        .unique(col.PAYEE_KEY, keep="first", maintain_order=True)
    )


def merge_first_claims(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """`first_claims` of a whole cycle from those of its partitions."""
    if len(parts) == 1:
        return parts[0]
    return first_claims(pl.concat(parts))
