"""Stage `payees`: payee keys on claims, existing payees resolved, new payees' details.

Provider events key a claim by `TaxID|NPI`, DMR events by `MemberID`. Existing payees bring their
`PaymentCenter_ID`, contract type and payment method. The cycle's payee list (after the claims'
outcomes are known) is built by the `ledger` stage; new payees get ids only in a Final Run
(`new_payee_details`, written by `persist`).
"""

from __future__ import annotations

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.payee_keys import key_expr, present
from paymentprocess.domain.run_config import RunConfig


def claim_contract_types(claims: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """Per provider payee key, the contract type of its smallest ClaimCore_ID that has one
    (`claim_contract_type`, with that claim's id as `first_claim_id`): a new payee's contract
    type. Computed over the whole cycle, since a payee's claims may fall in several partitions."""
    keyed = claims.select("claim_core_id", "contract_type", key_expr(cfg).alias(col.PAYEE_KEY))
    return (
        keyed.filter(present("contract_type") & pl.col(col.PAYEE_KEY).is_not_null())
        .sort("claim_core_id")
        .unique(col.PAYEE_KEY, keep="first", maintain_order=True)
        .select(
            col.PAYEE_KEY,
            pl.col("claim_core_id").alias("first_claim_id"),
            pl.col("contract_type").alias("claim_contract_type"),
        )
    )


def attach_payees(
    claims: pl.DataFrame,
    payees: pl.DataFrame,
    cfg: RunConfig,
    contract_types: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add payee_key, payment_center_id, payee_contract_type (for interest) and payment_method;
    `contract_types` (`claim_contract_types` of the whole cycle) when `claims` is a partition."""
    keyed = claims.with_columns(key_expr(cfg).alias(col.PAYEE_KEY))
    known = payees.drop("mailing_ready", "eft_ready", "remit_ready", strict=False).rename(
        {"contract_type": "known_contract_type"}
    )
    joined = keyed.join(known, on=col.PAYEE_KEY, how="left")
    if cfg.event_type == "DMR":
        contract = pl.lit("Member")
    else:
        if contract_types is None:
            contract_types = claim_contract_types(claims, cfg)
        joined = joined.join(
            contract_types.select(col.PAYEE_KEY, "claim_contract_type"),
            on=col.PAYEE_KEY,
            how="left",
        )
        contract = (
            pl.when(pl.col("payment_center_id").is_not_null())
            .then(pl.col("known_contract_type"))
            .otherwise(pl.col("claim_contract_type"))
            .fill_null("Contract")
        )
    return joined.with_columns(contract.alias("payee_contract_type")).drop(
        "known_contract_type", "claim_contract_type", strict=False
    )
