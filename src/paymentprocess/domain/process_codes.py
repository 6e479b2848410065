"""Payment-holding process codes: which claims carry a ProcessCode that holds their payment.

The `transform` stage holds such claims and the PROCESS_EXCEPTION rule reports them; both use this
one expression, so what is held and what is reported cannot drift apart.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.domain.run_config import RunConfig


def holds_payment(cfg: RunConfig, claims: pl.DataFrame) -> pl.Expr:
    """True for claims of `claims` whose ProcessCodes name a payment-holding code. The JSON lists
    are decoded once per distinct text (a cycle has few), not once per claim."""
    if not cfg.holding_process_codes:
        return pl.lit(False)
    texts = claims.select(pl.col("process_codes").drop_nulls().unique())
    codes = pl.col("process_codes").str.json_decode(pl.List(pl.String))
    holding = list(cfg.holding_process_codes)
    holds = codes.list.eval(pl.element().is_in(holding)).list.any().fill_null(False)
    holding_texts = texts.filter(holds)["process_codes"]
    return pl.col("process_codes").is_in(holding_texts.implode()).fill_null(False)
