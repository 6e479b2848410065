"""Partitions of a cycle: sets of whole chains, so each claim's arithmetic sees its chain.

A claim's outcome, chain net and interest depend only on its chain (`ChainID` = its
ParentClaimCore_ID, or its own id for an original) and its payee's attributes; a payee's result
depends only on the sums of its claims (`engine.ledger.claim_sums`), which add up across
partitions. So a cycle splits into partitions of chains, by a hash of the chain id, and every
partition's claim results, findings and counts merge into exactly what the whole cycle gives
(tests/integration/test_partitions.py). Numbers that must be global (new payee ids, ledger ids,
check numbers) are assigned after the merge, by `persist`, as for an unsplit cycle.

What stays whole: the event's payees, open ledger records, open refunds and the links named by
replacements (lookups by payee or claim id, not by chain) and the largest ids in use.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from paymentprocess.domain.cycle import CycleData

PART = "_partition"
SEED = 0x5EED


def chain_of() -> pl.Expr:
    """The chain id of a claim row."""
    return pl.coalesce("parent_claim_core_id", "claim_core_id")


def _bucket(key: pl.Expr, parts: int) -> pl.Expr:
    return (key.hash(seed=SEED) % parts).cast(pl.Int64).alias(PART)


def _split(frame: pl.DataFrame, key: pl.Expr, parts: int) -> dict[int, pl.DataFrame]:
    split = frame.with_columns(_bucket(key, parts)).partition_by(PART, as_dict=True)
    return {int(k[0]): v.drop(PART) for k, v in split.items()}


def split_cycle(data: CycleData, parts: int) -> list[CycleData]:
    """The cycle as `parts` partitions of whole chains (one, unchanged, when `parts` <= 1)."""
    if parts <= 1:
        return [data]
    claims = data.claims.with_columns(_bucket(chain_of(), parts))
    of_claim = claims.select("claim_core_id", PART)
    lines = _split_by(data.lines.join(of_claim, on="claim_core_id", how="left"))
    claims_of = _split_by(claims)
    history = _split(data.history, pl.col("parent_claim_core_id"), parts)
    history_claims = (
        _split(data.history_claims, pl.col("parent_claim_core_id"), parts)
        if data.history_claims.width
        else {}
    )
    return [
        replace(
            data,
            claims=claims_of.get(k, data.claims.clear()),
            lines=lines.get(k, data.lines.clear()),
            history=history.get(k, data.history.clear()),
            history_claims=history_claims.get(k, data.history_claims.clear()),
        )
        for k in range(parts)
    ]


def _split_by(frame: pl.DataFrame) -> dict[int, pl.DataFrame]:
    split = frame.partition_by(PART, as_dict=True)
    return {int(k[0]): v.drop(PART) for k, v in split.items()}
