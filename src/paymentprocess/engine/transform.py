"""Stage `transform`: each claim's outcome (paid, held, excluded), its chain net and interest.

Outcomes follow docs/semantics.md in order: missing payee key, bad frequency code, outside the
inclusion criteria (excluded), a payment-holding process code, a 7/8 not anchored by paid history
or an earlier processable original (missing parent). Chains are ordered by (ReceivedDate,
ClaimCore_ID); only paid-outcome claims move a chain: net = effective after − effective before.
Prompt-pay interest on a paid claim's net uses the one rounding rule of `domain.money` as a
vectorized expression.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.money import interest_cents_expr
from paymentprocess.domain.process_codes import holds_payment
from paymentprocess.domain.run_config import RunConfig

CHAIN = "chain_id"
VALID_CODES = ("1", "7", "8")


def _inside_criteria(cfg: RunConfig) -> pl.Expr:
    inside = pl.lit(True)
    if cfg.benefit_plan_filter:
        inside = inside & pl.col("benefit_plan_id").is_in(list(cfg.benefit_plan_filter)).fill_null(
            False
        )
    payee_refs = [pl.col("payment_center_id").cast(pl.String), pl.col(col.PAYEE_KEY)]
    if cfg.include_payees:
        listed = list(cfg.include_payees)
        inside = inside & pl.any_horizontal(*(r.is_in(listed).fill_null(False) for r in payee_refs))
    if cfg.exclude_payees:
        listed = list(cfg.exclude_payees)
        inside = inside & ~pl.any_horizontal(
            *(r.is_in(listed).fill_null(False) for r in payee_refs)
        )
    return inside


def add_outcomes(claims: pl.DataFrame, history: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """Claims in chain order with `chain_id`, `paid_history`, `outcome` and `hold_reason`."""
    frame = (
        claims.with_columns(pl.coalesce("parent_claim_core_id", "claim_core_id").alias(CHAIN))
        .join(history.rename({"parent_claim_core_id": CHAIN}), on=CHAIN, how="left")
        .with_columns(pl.col("paid_history").fill_null(0), pl.col("paid_count").fill_null(0))
        .sort(CHAIN, "received_date", "claim_core_id")
    )
    early_reason = (
        pl.when(pl.col(col.PAYEE_KEY).is_null())
        .then(pl.lit("missing_payee_id"))
        .when(~pl.col("frequency_code").is_in(VALID_CODES).fill_null(False))
        .then(pl.lit("frequency_code"))
        .when(~_inside_criteria(cfg))
        .then(pl.lit("inclusion_criteria"))
        .when(holds_payment(cfg, claims))
        .then(pl.lit("process_exception"))
    )
    frame = frame.with_columns(early_reason.alias(col.HOLD_REASON))
    first = (pl.int_range(pl.len()) == 0) | (pl.col(CHAIN) != pl.col(CHAIN).shift(1))
    frame = frame.with_columns(first.alias("chain_start"))
    opens = (pl.col(col.HOLD_REASON).is_null() & (pl.col("frequency_code") == "1")).cast(pl.Int64)
    anchor = _since_chain_start(opens) > 0
    anchored = (pl.col("paid_count") > 0) | anchor
    frame = frame.with_columns(
        pl.when(pl.col(col.HOLD_REASON).is_null() & ~anchored)
        .then(pl.lit("missing_parent_paid"))
        .otherwise(pl.col(col.HOLD_REASON))
        .alias(col.HOLD_REASON)
    )
    outcome = (
        pl.when(pl.col(col.HOLD_REASON).is_null())
        .then(pl.lit(col.PAID))
        .when(pl.col(col.HOLD_REASON) == "inclusion_criteria")
        .then(pl.lit(col.EXCLUDED))
        .otherwise(pl.lit(col.HELD))
    )
    return frame.with_columns(outcome.alias(col.OUTCOME))


def add_chain_nets(claims: pl.DataFrame) -> pl.DataFrame:
    """`net` per claim (frame must be in chain order, as `add_outcomes` leaves it)."""
    paid = pl.col(col.OUTCOME) == col.PAID
    effective = pl.when(paid).then(
        pl.when(pl.col("frequency_code") == "8")
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col(col.PAYABLE))
    )
    frame = claims.with_columns(effective.alias("effective_after"))
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    last_paid_row = pl.when(paid).then(row).shift(1).forward_fill()
    chain_start_row = pl.when(pl.col("chain_start")).then(row).forward_fill()
    previous = pl.col("effective_after").shift(1).forward_fill()
    in_chain = (last_paid_row >= chain_start_row).fill_null(False)
    before = pl.when(in_chain).then(previous).otherwise(pl.col("paid_history"))
    return frame.with_columns(
        pl.when(paid)
        .then(pl.col("effective_after") - before)
        .otherwise(0)
        .cast(pl.Int64)
        .alias(col.NET)
    )


def _since_chain_start(flags: pl.Expr) -> pl.Expr:
    """Running sum of `flags` from the start of each chain (frame in chain order), without windows."""
    total = flags.cum_sum()
    at_start = pl.when(pl.col("chain_start")).then(total - flags).forward_fill()
    return total - at_start


def add_interest(claims: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """`interest` per claim: paid outcome, net > 0, late beyond the grace days."""
    terms = pl.DataFrame(
        {
            "payee_contract_type": list(cfg.interest),
            "rate_ppm": [v.rate_ppm for v in cfg.interest.values()],
            "grace_days": [
                v.grace_days if cfg.custom_interest_days is None else cfg.custom_interest_days
                for v in cfg.interest.values()
            ],
        },
        schema={"payee_contract_type": pl.String, "rate_ppm": pl.Int64, "grace_days": pl.Int64},
    )
    withterms = claims.join(terms, on="payee_contract_type", how="left")
    late = (pl.lit(cfg.payment_due_date) - pl.col("received_date")).dt.total_days() - pl.col(
        "grace_days"
    )
    interest = interest_cents_expr(
        pl.col(col.NET), pl.col("rate_ppm").fill_null(0), late.fill_null(0)
    )
    paid = pl.col(col.OUTCOME) == col.PAID
    return withterms.with_columns(
        pl.when(paid).then(interest).otherwise(0).alias(col.INTEREST)
    ).drop("rate_ppm", "grace_days")
