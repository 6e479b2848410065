"""Stage `ledger`: the cycle's payees (`cycle_payees`), each cycle payee's result (SPEC §5) and the carry-over ledger changes (§6).

All allocations ("oldest first", "until nothing is left") are vectorized with cumulative sums:
for records sorted in priority order within a payee, the amount a record takes from a pot is
`clip(pot − Σ remaining of the records before it, 0, remaining)`. Refunds are applied rank by
rank (the payee's first refund, then its second, ...): each rank is one vectorized step over all
payees, because each refund orders the records by its own chain first.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.payee_keys import key_expr
from paymentprocess.domain.run_config import RunConfig

KEY, PC_ID, OU_ID = col.PAYEE_KEY, "payment_center_id", "over_and_under_payment_id"
ORDER = ("created_date", OU_ID)


@dataclass
class LedgerResult:
    payees: pl.DataFrame  # one row per cycle payee: domain.payee_result.NAMES, ...
    applications: pl.DataFrame  # over_and_under_payment_id, payee_key, kind, amount, refund_id
    refunds: pl.DataFrame  # refund_id, remaining, applied, payee_key (every open refund)


def _allocate(pot: str) -> pl.Expr:
    """Amount each record (sorted within payee) takes from the payee's `pot` column."""
    before = pl.col("remaining").cum_sum().over(KEY) - pl.col("remaining")
    return pl.min_horizontal(
        pl.max_horizontal(pl.col(pot) - before, pl.lit(0)), pl.col("remaining")
    ).alias("take")


def claim_sums(claims: pl.DataFrame) -> pl.DataFrame:
    """Per payee key of the paid-outcome claims: its payment_center_id and payment_method (one
    per key), `claims_net`, `interest`, and the chain of its most negative net (`new_chain`,
    ties by chain id; null without a negative net) with that net (`new_chain_net`)."""
    paid = claims.filter(pl.col(col.OUTCOME) == col.PAID)
    sums = paid.group_by(KEY).agg(
        pl.col(PC_ID).first(),
        pl.col("payment_method").first(),
        pl.col(col.NET).sum().alias("claims_net"),
        pl.col(col.INTEREST).sum().alias("interest"),
    )
    worst = (
        paid.filter(pl.col(col.NET) < 0)
        .sort(col.NET, "chain_id")
        .unique(KEY, keep="first", maintain_order=True)
        .select(KEY, pl.col("chain_id").alias("new_chain"), pl.col(col.NET).alias("new_chain_net"))
    )
    return sums.join(worst, on=KEY, how="left")


def merge_claim_sums(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """`claim_sums` of a whole cycle from those of its partitions (a payee's claims may fall in
    several: partitions are sets of chains)."""
    if len(parts) == 1:
        return parts[0]
    every = pl.concat(parts)
    sums = every.group_by(KEY).agg(
        pl.col(PC_ID).first(),
        pl.col("payment_method").first(),
        pl.col("claims_net").sum(),
        pl.col("interest").sum(),
    )
    worst = (
        every.filter(pl.col("new_chain").is_not_null())
        .sort("new_chain_net", "new_chain")
        .unique(KEY, keep="first", maintain_order=True)
        .select(KEY, "new_chain", "new_chain_net")
    )
    return sums.join(worst, on=KEY, how="left")


def cycle_payees(sums: pl.DataFrame, ledger: pl.DataFrame, payees: pl.DataFrame) -> pl.DataFrame:
    """Payees of paid-outcome claims (`claim_sums`) plus existing payees holding an open
    UnderPayment."""
    from_claims = sums.select(col.PAYEE_KEY, "payment_center_id", "payment_method")
    held_ids = ledger.filter(pl.col("type") == "UnderPayment").select("payment_center_id").unique()
    from_ledger = payees.join(held_ids, on="payment_center_id", how="semi").select(
        col.PAYEE_KEY, "payment_center_id", "payment_method"
    )
    both = pl.concat([from_claims, from_ledger]).unique(col.PAYEE_KEY, keep="first")
    return both.with_columns(
        pl.col("payment_center_id").is_null().alias("is_new"),
        pl.col("payment_method").fill_null("CHECK"),
    ).sort(col.PAYEE_KEY)


def payee_results(
    sums: pl.DataFrame,
    cycle: pl.DataFrame,
    ledger: pl.DataFrame,
    refunds: pl.DataFrame,
    cfg: RunConfig,
) -> LedgerResult:
    """Each cycle payee's result from its claims' `claim_sums`, its ledger and its refunds."""
    worst_chain = sums.select(KEY, "new_chain")
    sums = sums.select(KEY, "claims_net", "interest")
    records = ledger.join(cycle.select(KEY, PC_ID), on=PC_ID, how="inner")
    under = records.filter(pl.col("type") == "UnderPayment")
    carry = under.group_by(KEY).agg(pl.col("remaining").sum().alias("carried_in"))
    apps = [
        under.select(
            OU_ID,
            KEY,
            pl.lit("carry_in").alias("kind"),
            pl.col("remaining").alias("amount"),
            pl.lit(None, pl.String).alias("refund_id"),
        )
    ]
    over = records.filter(pl.col("type") == "OverPayment").sort(KEY, *ORDER)
    over, refund_apps, refund_state = _apply_refunds(over, refunds, cycle, cfg)
    apps.append(refund_apps)

    frame = (
        cycle.join(sums, on=KEY, how="left")
        .join(carry, on=KEY, how="left")
        .join(worst_chain, on=KEY, how="left")
        .with_columns(pl.col("claims_net", "interest", "carried_in").fill_null(0))
        .with_columns(
            (pl.col("claims_net") + pl.col("interest") + pl.col("carried_in")).alias("available")
        )
    )
    pots = frame.select(KEY, pl.max_horizontal(pl.col("available"), pl.lit(0)).alias("pot"))
    offs = over.join(pots, on=KEY, how="inner").sort(KEY, *ORDER).with_columns(_allocate("pot"))
    offs = offs.filter(pl.col("take") > 0)
    apps.append(
        offs.select(
            OU_ID,
            KEY,
            pl.lit("offset").alias("kind"),
            pl.col("take").alias("amount"),
            pl.lit(None, pl.String).alias("refund_id"),
        )
    )
    offsets = offs.group_by(KEY).agg(pl.col("take").sum().alias("offsets"))
    refunded = refund_apps.group_by(KEY).agg(pl.col("amount").sum().alias("refunds_applied"))
    frame = (
        frame.join(offsets, on=KEY, how="left")
        .join(refunded, on=KEY, how="left")
        .with_columns(pl.col("offsets", "refunds_applied").fill_null(0))
    )
    return LedgerResult(
        _settle(frame, cfg), pl.concat(apps).filter(pl.col("amount") > 0), refund_state
    )


def _settle(frame: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """New over/underpayment, held and net pay from `available` and `offsets`."""
    after = (
        pl.when(pl.col("available") > 0).then(pl.col("available") - pl.col("offsets")).otherwise(0)
    )
    held = (
        pl.when((pl.col("after") > 0) & (pl.col("after") < cfg.minimum_payment))
        .then(pl.col("after"))
        .otherwise(0)
    )
    frame = frame.with_columns(after.alias("after")).with_columns(
        pl.max_horizontal(-pl.col("available"), pl.lit(0)).alias("new_overpayment"),
        held.alias("held"),
    )
    return (
        frame.with_columns(
            (pl.col("after") - pl.col("held")).alias("net_pay"),
            pl.when(pl.col("new_overpayment") > 0)
            .then(pl.lit("OverPayment"))
            .when(pl.col("held") > 0)
            .then(pl.lit("UnderPayment"))
            .alias("new_record_type"),
            pl.when(pl.col("new_overpayment") > 0).then(pl.col("new_chain")).alias("new_chain"),
        )
        .drop("after")
        .sort(KEY)
    )


def _apply_refunds(
    over: pl.DataFrame, refunds: pl.DataFrame, cycle: pl.DataFrame, cfg: RunConfig
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Reduce OverPayment records by open refunds; returns (records, applications, refund state)."""
    keyed = refunds.with_columns(key_expr(cfg).alias(KEY))
    state = keyed.select("refund_id", "remaining", KEY, pl.lit(0, pl.Int64).alias("applied"))
    active = (
        keyed.join(cycle.select(KEY), on=KEY, how="semi")
        .sort(KEY, "received_date", "refund_id")
        .with_columns(pl.int_range(pl.len()).over(KEY).alias("rank"))
    )
    apps: list[pl.DataFrame] = []
    empty = pl.DataFrame(
        schema={
            OU_ID: pl.Int64,
            KEY: pl.String,
            "kind": pl.String,
            "amount": pl.Int64,
            "refund_id": pl.String,
        }
    )
    ranks = int(active.select(pl.col("rank").max().fill_null(-1)).item()) + 1
    for rank in range(ranks):  # ranks, not rows
        step = active.filter(pl.col("rank") == rank).select(
            KEY,
            "refund_id",
            pl.col("remaining").alias("pot"),
            pl.col("parent_claim_core_id").alias("rchain"),
        )
        cand = over.join(step, on=KEY, how="inner").filter(pl.col("remaining") > 0)
        cand = cand.with_columns(
            (pl.col("claim_chain_id") != pl.col("rchain")).fill_null(True).alias("other")
        )
        cand = (
            cand.sort(KEY, "other", *ORDER)
            .with_columns(_allocate("pot"))
            .filter(pl.col("take") > 0)
        )
        apps.append(
            cand.select(
                OU_ID,
                KEY,
                pl.lit("refund").alias("kind"),
                pl.col("take").alias("amount"),
                "refund_id",
            )
        )
        used = cand.select(OU_ID, "take")
        over = (
            over.join(used, on=OU_ID, how="left")
            .with_columns((pl.col("remaining") - pl.col("take").fill_null(0)).alias("remaining"))
            .drop("take")
        )
    applied = pl.concat([empty, *apps])
    per_refund = applied.group_by("refund_id").agg(pl.col("amount").sum().alias("done"))
    state = (
        state.join(per_refund, on="refund_id", how="left")
        .with_columns(pl.col("done").fill_null(0).alias("applied"))
        .drop("done")
    )
    return over, applied, state
