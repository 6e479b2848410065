"""The cycle's claims counted by frequency code and outcome: what the stats document and the
FREQUENCY_COUNTS finding show, computed per partition and summed (`merge_counts`)."""

from __future__ import annotations

import polars as pl

from paymentprocess.domain import columns as col

SCHEMA = {"frequency_code": pl.String, col.OUTCOME: pl.String, "len": pl.Int64}


def count_claims(claims: pl.DataFrame) -> pl.DataFrame:
    """`frequency_code`, `outcome` (null before the outcomes are known) and `len` (Int64)."""
    outcome = pl.col(col.OUTCOME) if col.OUTCOME in claims.columns else pl.lit(None, pl.String)
    return (
        claims.select(pl.col("frequency_code"), outcome.alias(col.OUTCOME))
        .group_by("frequency_code", col.OUTCOME)
        .len()
        .cast(SCHEMA)  # type: ignore[arg-type]
    )


def merge_counts(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The counts of a whole cycle from those of its partitions."""
    if not parts:
        return pl.DataFrame(schema=SCHEMA)
    return (
        pl.concat(parts)
        .group_by("frequency_code", col.OUTCOME)
        .agg(pl.col("len").sum())
        .cast(SCHEMA)  # type: ignore[arg-type]
    )


def by_frequency(counts: pl.DataFrame) -> pl.DataFrame:
    """`frequency_code`, `len`: sorted by code, null last."""
    return (
        counts.group_by("frequency_code")
        .agg(pl.col("len").sum())
        .sort("frequency_code", nulls_last=True)
    )


def by_outcome(counts: pl.DataFrame) -> pl.DataFrame:
    """`outcome`, `len` of the counted claims whose outcome is known."""
    known = counts.filter(pl.col(col.OUTCOME).is_not_null())
    return known.group_by(col.OUTCOME).agg(pl.col("len").sum()).sort(col.OUTCOME)
