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


def attach_payees(claims: pl.DataFrame, payees: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """Add payee_key, payment_center_id, payee_contract_type (for interest) and payment_method."""
    keyed = claims.with_columns(key_expr(cfg).alias(col.PAYEE_KEY))
    known = payees.drop("mailing_ready", "eft_ready", "remit_ready", strict=False).rename(
        {"contract_type": "known_contract_type"}
    )
    joined = keyed.join(known, on=col.PAYEE_KEY, how="left")
    if cfg.event_type == "DMR":
        contract = pl.lit("Member")
    else:
        first_claim_type = (  # the smallest ClaimCore_ID of each key that has a contract type
            keyed.filter(present("contract_type") & pl.col(col.PAYEE_KEY).is_not_null())
            .group_by(col.PAYEE_KEY)
            .agg(
                pl.col("contract_type")
                .sort_by("claim_core_id")
                .first()
                .alias("claim_contract_type")
            )
        )
        joined = joined.join(first_claim_type, on=col.PAYEE_KEY, how="left")
        contract = (
            pl.when(pl.col("payment_center_id").is_not_null())
            .then(pl.col("known_contract_type"))
            .otherwise(pl.col("claim_contract_type"))
            .fill_null("Contract")
        )
    return joined.with_columns(contract.alias("payee_contract_type")).drop(
        "known_contract_type", "claim_contract_type", strict=False
    )
