"""Deterministic random numbers as Polars expressions: counter-based SplitMix64.

Every random value is a pure function of (seed, stream name, integer row key): `Rng(seed)
.between("billed", key, 2000, 80000)` hashes the key with a per-stream constant through SplitMix64
in wrapping UInt64 arithmetic, which Polars evaluates natively over millions of rows. There is no
generator state and no per-row Python, so the same seed gives the same data on every machine and
Polars version (unlike `Expr.shuffle` or `Expr.hash`, whose output Polars does not promise to keep).
Probabilities are compared as integers (`chance`) and amounts are drawn as integers, so money never
passes through a float. `Rng.draw` is the same function in plain Python for small tables. On
large frames the expression form is slow (each SplitMix64 round reuses its input, so the
expression tree doubles per round); there `Rng.add_streams` materializes one UInt64 column per
stream in four cheap `with_columns` stages, and `Draw` cuts each column into four 16-bit fields
(or two 32-bit ones) mapped to ranges with multiply-and-shift — a handful of integer operations
per value.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

U64 = pl.UInt64
_MASK = 2**64 - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def mix64(x: int) -> int:
    """SplitMix64's finaliser in plain Python (the reference for `_mix_expr`)."""
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=U64)


def _mix_expr(x: pl.Expr) -> pl.Expr:
    z = x + _u64(_GOLDEN)
    z = z.xor(z // _u64(1 << 30)) * _u64(_M1)
    z = z.xor(z // _u64(1 << 27)) * _u64(_M2)
    return z.xor(z // _u64(1 << 31))


def _bucket(draw: pl.Expr, weights: Sequence[int]) -> pl.Expr:
    """The index i with cumsum(weights)[i-1] ≤ draw < cumsum(weights)[i] (draw used once)."""
    bounds = pl.Series([sum(weights[: i + 1]) for i in range(len(weights) - 1)], dtype=pl.Int64)
    return pl.lit(bounds).search_sorted(draw, side="right").cast(pl.Int64)


class Rng:
    """Named, independent random streams over integer keys, all derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed & _MASK

    def stream_key(self, stream: str) -> int:
        return mix64(mix64(self.seed) ^ zlib.crc32(stream.encode()))

    def u64(self, stream: str, key: pl.Expr) -> pl.Expr:
        """A uniform UInt64 per row."""
        return _mix_expr(key.cast(U64) * _u64(_GOLDEN) + _u64(self.stream_key(stream)))

    def below(self, stream: str, key: pl.Expr, n: int) -> pl.Expr:
        """A uniform Int64 in [0, n)."""
        return (self.u64(stream, key) % _u64(max(n, 1))).cast(pl.Int64)

    def between(self, stream: str, key: pl.Expr, lo: int, hi: int) -> pl.Expr:
        """A uniform Int64 in [lo, hi] (both included)."""
        return self.below(stream, key, hi - lo + 1) + lo

    def chance(self, stream: str, key: pl.Expr, numerator: int, denominator: int) -> pl.Expr:
        """True with probability numerator / denominator (integer comparison, no float)."""
        threshold = min(_MASK, (numerator << 64) // denominator)
        return self.u64(stream, key) < _u64(threshold)

    def pick(self, stream: str, key: pl.Expr, values: Sequence[str]) -> pl.Expr:
        """One of `values`, uniformly."""
        mapping = dict(enumerate(values))
        return self.below(stream, key, len(values)).replace_strict(mapping, return_dtype=pl.String)

    def weighted(self, stream: str, key: pl.Expr, weights: Sequence[int]) -> pl.Expr:
        """An index into `weights` (integers), drawn with those weights."""
        return _bucket(self.below(stream, key, sum(weights)), weights)

    def skewed(self, stream: str, key: pl.Expr, lo: int, size: int) -> pl.Expr:
        """An Int64 in [lo, lo + size) leaning towards lo (minimum of two uniform draws)."""
        a = self.below(stream + ":a", key, size)
        b = self.below(stream + ":b", key, size)
        return pl.min_horizontal(a, b) + lo

    def draw(self, stream: str, key: int, n: int) -> int:
        """`below` in plain Python, for small reference tables."""
        x = (key * _GOLDEN + self.stream_key(stream)) & _MASK
        return mix64(x) % max(n, 1)

    def add_streams(self, frame: pl.DataFrame, key: str, streams: Sequence[str]) -> pl.DataFrame:
        """`frame` plus one UInt64 column per stream (named like the stream), keyed by `key`."""
        start = pl.col(key).cast(U64) * _u64(_GOLDEN)
        frame = frame.with_columns(
            (start + _u64((self.stream_key(s) + _GOLDEN) & _MASK)).alias(s) for s in streams
        )
        for shift, mult in ((30, _M1), (27, _M2)):
            frame = frame.with_columns(
                (pl.col(s).xor(pl.col(s) // _u64(1 << shift)) * _u64(mult)).alias(s)
                for s in streams
            )
        return frame.with_columns(pl.col(s).xor(pl.col(s) // _u64(1 << 31)) for s in streams)


@dataclass(frozen=True)
class Draw:
    """Fields of a materialized UInt64 random column: slot i of width w is bits [i·w, (i+1)·w)."""

    column: str

    def bits(self, slot: int, width: int = 16) -> pl.Expr:
        shifted = pl.col(self.column) // _u64(1 << (slot * width)) if slot else pl.col(self.column)
        return shifted & _u64((1 << width) - 1)

    def below(self, slot: int, n: int, width: int = 16) -> pl.Expr:
        """A near-uniform Int64 in [0, n), n ≤ 2**width."""
        if not 1 <= n <= 1 << width:
            raise ValueError(f"range {n} does not fit a {width}-bit field")
        return (self.bits(slot, width) * _u64(n) // _u64(1 << width)).cast(pl.Int64)

    def between(self, slot: int, lo: int, hi: int, width: int = 16) -> pl.Expr:
        return self.below(slot, hi - lo + 1, width) + lo

    def chance(self, slot: int, numerator: int, denominator: int) -> pl.Expr:
        return self.bits(slot) < _u64((numerator << 16) // denominator)

    def pick(self, slot: int, values: Sequence[str]) -> pl.Expr:
        mapping = dict(enumerate(values))
        return self.below(slot, len(values)).replace_strict(mapping, return_dtype=pl.String)

    def weighted(self, slot: int, weights: Sequence[int]) -> pl.Expr:
        return _bucket(self.below(slot, sum(weights)), weights)

    def skewed(self, lo: int, size: int) -> pl.Expr:
        """An Int64 in [lo, lo + size) leaning towards lo: the smaller of the two 32-bit halves."""
        return pl.min_horizontal(self.below(0, size, 32), self.below(1, size, 32)) + lo
