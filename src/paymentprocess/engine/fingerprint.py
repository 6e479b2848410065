"""A fingerprint of the cycle's claims and lines: the Final Run refuses if it changed since the Dry Run."""

from __future__ import annotations

import polars as pl

from paymentprocess.domain.cycle import CycleData

Fold = tuple[int, int, int]  # rows, Σ high 32 bits of the row hashes, Σ low 32 bits


def _fold(frame: pl.DataFrame) -> Fold:
    if frame.height == 0:
        return (0, 0, 0)
    hashes = frame.hash_rows(seed=11)
    hi = int((hashes // (1 << 32)).cast(pl.Int64).sum())
    lo = int((hashes % (1 << 32)).cast(pl.Int64).sum())
    return (frame.height, hi, lo)


def folds(data: CycleData) -> tuple[Fold, Fold]:
    """The claims' and the lines' folds: sums, so a cycle's partitions add up to the cycle's."""
    return _fold(data.claims), _fold(data.lines)


def from_folds(parts: list[tuple[Fold, Fold]]) -> str:
    """The fingerprint of a cycle from the folds of its partitions."""
    claims = tuple(sum(p[0][i] for p in parts) for i in range(3))
    lines = tuple(sum(p[1][i] for p in parts) for i in range(3))
    return f"{pl.__version__}/{_text(claims)}/{_text(lines)}"


def _text(fold: tuple[int, ...]) -> str:
    return f"{fold[0]}:{fold[1]:x}:{fold[2]:x}"


def fingerprint(data: CycleData) -> str:
    """Order-independent: the sum of row hashes of claims and of lines, with their counts."""
    return from_folds([folds(data)])
