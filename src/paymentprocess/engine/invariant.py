"""The SPEC §5 invariant, checked per payee and in total at the end of every run."""

from __future__ import annotations

import polars as pl

from paymentprocess.domain.payee_result import STATS_NAMES
from paymentprocess.errors import InvariantError
from paymentprocess.faults import corrupts


def check_invariant(payees: pl.DataFrame) -> None:
    """claims_net + interest + carried_in = net_pay + held + offsets − new_overpayment, per payee."""
    if corrupts("invariant"):  # tests: the first payee paid one cent too much
        payees = payees.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(pl.col("net_pay") + 1)
            .otherwise(pl.col("net_pay"))
            .alias("net_pay")
        )
    left = pl.col("claims_net") + pl.col("interest") + pl.col("carried_in")
    right = pl.col("net_pay") + pl.col("held") + pl.col("offsets") - pl.col("new_overpayment")
    bad = payees.filter(left != right)
    negative = payees.filter(
        pl.any_horizontal(pl.col("net_pay", "held", "offsets", "new_overpayment", "carried_in") < 0)
    )
    if bad.height or negative.height:
        shown = ("payment_center_id", *STATS_NAMES)  # never payee_key: a member id is PHI
        sample = pl.concat([bad, negative], how="diagonal_relaxed").select(shown).head(5).to_dicts()
        raise InvariantError(
            f"money invariant violated for {bad.height + negative.height} payee(s); nothing was written: {sample}"
        )
    totals = payees.select(left.sum().alias("l"), right.sum().alias("r")).row(0)
    if totals[0] != totals[1]:
        raise InvariantError(
            f"money invariant violated in total ({totals[0]} != {totals[1]}); nothing was written"
        )
