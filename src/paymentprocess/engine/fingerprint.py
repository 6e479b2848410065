"""A fingerprint of the cycle's claims and lines: the Final Run refuses if it changed since the Dry Run."""

from __future__ import annotations

import polars as pl

from paymentprocess.domain.cycle import CycleData


def _fold(frame: pl.DataFrame) -> str:
    if frame.height == 0:
        return "0:0:0"
    hashes = frame.hash_rows(seed=11)
    hi = int((hashes // (1 << 32)).cast(pl.Int64).sum())
    lo = int((hashes % (1 << 32)).cast(pl.Int64).sum())
    return f"{frame.height}:{hi:x}:{lo:x}"


def fingerprint(data: CycleData) -> str:
    """Order-independent: the sum of row hashes of claims and of lines, with their counts."""
    return f"{pl.__version__}/{_fold(data.claims)}/{_fold(data.lines)}"
