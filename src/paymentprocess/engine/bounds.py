"""The money range guard: a cycle is paid only if every sum a run makes fits 64-bit cents exactly.

Each input amount is below 10^15 cents (`domain.money.MAX_CENTS`), but a run adds them up (lines
into claims, claims into chains and payees, interest on top) in Int64 columns, where an overflow
wraps around silently. Every such sum is bounded by a few times the total of the absolute input
amounts plus the most interest they could earn, so a cycle whose total stays under SAFE_TOTAL
(2^60, a factor 8 below 2^63) can never overflow; a larger one is refused before anything is
computed. Found by tests/fuzz (amounts near the cap, dates at the extremes): 10 lines of
9,999,999,999,999.99 received in year 1 wrapped the interest to −108 trillion dollars.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.money import DAYS_PER_YEAR, RATE_SCALE
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.errors import RunRefusedError

SAFE_TOTAL = 2**60


def _abs_total(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> int:
    present = [c for c in columns if c in frame.columns]
    if frame.height == 0 or not present:
        return 0
    total = frame.select(
        pl.sum_horizontal(pl.col(c).cast(pl.Int128).abs().sum() for c in present)
    ).item()
    return int(total or 0)


Extent = tuple[int, dt.date | None]  # Σ |amounts| in cents, the earliest ReceivedDate


def money_extent(data: CycleData, *, lookups: bool = True) -> Extent:
    """What `check_money_range` bounds, for a cycle or one partition of it (`lookups=False`:
    without the ledger and refunds every partition shares); extents add up (`add_extents`)."""
    total = (
        _abs_total(data.lines, col.MONEY)
        + _abs_total(data.claims, col.MONEY)
        + _abs_total(data.history, ("paid_history",))
    )
    if lookups:
        total += _abs_total(data.ledger, ("remaining",)) + _abs_total(data.refunds, ("remaining",))
    earliest = (
        data.claims.select(pl.col("received_date").min()).item() if data.claims.height else None
    )
    return total, earliest


def add_extents(extents: list[Extent]) -> Extent:
    dates = [d for _, d in extents if d is not None]
    return sum(t for t, _ in extents), min(dates) if dates else None


def check_money_range(data: CycleData, cfg: RunConfig) -> None:
    """Refuse the run when the cycle's amounts (with the interest they could earn) are too large
    to be added up exactly in 64-bit cents."""
    check_extent(money_extent(data), cfg)


def check_extent(extent: Extent, cfg: RunConfig) -> None:
    """`check_money_range` of a cycle's extent (its partitions' added up)."""
    total, earliest = extent
    rate = max((terms.rate_ppm for terms in cfg.interest.values()), default=0)
    days = max(0, (cfg.payment_due_date - earliest).days) if earliest is not None else 0
    bound = total + total * rate * days // (RATE_SCALE * DAYS_PER_YEAR) + 1
    if bound > SAFE_TOTAL:
        raise RunRefusedError(
            f"the amounts of payment event {cfg.payment_event_id} are too large to be paid exactly: "
            f"together with the interest they could earn they exceed {SAFE_TOTAL} cents; "
            "check the claims' amounts and ReceivedDate"
        )
