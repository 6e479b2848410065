"""Ids and numbers from SequenceNumbers: new payees, new ledger records, check/trace numbers.

Each block is numbered in a fixed order (payees by key, ledger records and payments by
PaymentCenter_ID) from the sequence's last used value; a sequence that does not exist yet starts
from the largest id in use.
"""

from __future__ import annotations

import polars as pl


def number_rows(frame: pl.DataFrame, start_after: int, name: str) -> tuple[pl.DataFrame, int]:
    """`frame` (already in numbering order) with `name` = start_after + 1, ...; and the last value."""
    numbered = frame.with_columns(
        (pl.int_range(1, frame.height + 1, dtype=pl.Int64) + start_after).alias(name)
    )
    return numbered, start_after + frame.height


def sequence_start(sequences: dict[str, int], name: str, in_use: int) -> int:
    return sequences.get(name, in_use)
