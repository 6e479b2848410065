"""The claim skeleton: one row per generated claim before its lines and payee fields exist.

History claims and current-cycle claims share these columns. `role` and `pos` (position within
the role) say what a claim is for; `payee` is an index into the payee frame; `src_claim` and
`factor` say that the claim's lines are a copy of another claim's lines scaled by factor/1000 (a
void copies its original; a replacement rescales it), otherwise lines are drawn fresh. The flags
`late`, `header_null` and `header_diff` are applied when lines and header totals are built.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

SKELETON: dict[str, pl.DataType] = {
    "claim_core_id": pl.String(), "num": pl.Int64(), "role": pl.String(), "pos": pl.Int64(),
    "parent_claim_core_id": pl.String(), "frequency_code": pl.String(),
    "payment_event_id": pl.String(), "status": pl.String(), "payee": pl.Int64(),
    "benefit_plan_id": pl.String(), "received_date": pl.Date(), "service_begin_date": pl.Date(),
    "service_end_date": pl.Date(), "void_claim_core_id": pl.String(), "src_claim": pl.String(),
    "factor": pl.Int64(), "process_codes": pl.String(), "late": pl.Boolean(),
    "header_null": pl.Boolean(), "header_diff": pl.Boolean(),
}  # fmt: skip


def role_blocks(spec: list[tuple[str, int]]) -> pl.DataFrame:
    """Rows `role`, `pos` (0..count-1 within the role) and `slot` (row number), in spec order."""
    parts = [
        pl.select(pl.repeat(role, count, dtype=pl.String).alias("role"),
                  pl.int_range(count, dtype=pl.Int64).alias("pos"))
        for role, count in spec
        if count > 0
    ]  # fmt: skip
    return pl.concat(parts).with_row_index("slot").with_columns(pl.col("slot").cast(pl.Int64))


def days_before(day: dt.date | pl.Expr, days: pl.Expr) -> pl.Expr:
    """`day` minus `days` days, as a Date expression."""
    base = pl.lit(day) if isinstance(day, dt.date) else day
    return base - pl.duration(days=days)


def days_after(day: pl.Expr, days: pl.Expr) -> pl.Expr:
    return day + pl.duration(days=days)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The skeleton columns in order, missing ones as typed NULLs."""
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in SKELETON.items()
    )


def is_role(*roles: str) -> pl.Expr:
    return pl.col("role").is_in(list(roles))
