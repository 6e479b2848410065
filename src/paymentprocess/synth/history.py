"""Paid history: the claim chains that prior Final events already paid.

Each history chain has one original (`1`) paid in one of the four prior events; chains of kind
`hist_void_repl` also have a void (`8`) paid in the latest prior event, so their paid history nets
to zero. Chain kinds say what the current cycle does with the chain (void it, replace it lower or
higher, void and replace it, replace it after the prior void, a replacement with a bad void link,
or nothing). Chains that make a payee overpay, and the chains that prior OverPayments and refunds
point at, go to their reserved payees; the rest go to the general payee pool.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.synth.identifiers import claim_id
from paymentprocess.synth.plan import CHAIN_KINDS, CyclePlan
from paymentprocess.synth.reference import PLANS_INSIDE, prior_event_ids
from paymentprocess.synth.rng import Rng
from paymentprocess.synth.skeleton import conform, days_after, days_before, role_blocks


def chain_frame(plan: CyclePlan) -> pl.DataFrame:
    """One row per history chain: kind, payee, original id, plan, dates, prior void id."""
    rng = Rng(plan.seed)
    frame = role_blocks([(k, plan.chains[k]) for k in CHAIN_KINDS]).rename(
        {"role": "kind", "slot": "chain"}
    )
    c, kind, pos = pl.col("chain"), pl.col("kind"), pl.col("pos")
    payee = (
        pl.when((kind == "void") & (pos < plan.over_void))
        .then(pos)
        .when((kind == "repl_lower") & (pos < plan.over - plan.over_void))
        .then(pos + plan.over_void)
        .when((kind == "hist_only") & (pos < plan.prior_over))
        .then(pos + plan.pool_lo)
        .otherwise(rng.skewed("chain_payee", c, plan.pool_lo, plan.existing - plan.pool_lo))
    )
    p_orig = (
        pl.when(kind == "hist_void_repl")
        .then(rng.between("p_orig_hvr", c, 2, plan.prior_events))
        .otherwise(rng.between("p_orig", c, 1, plan.prior_events))
    )
    frame = frame.with_columns(
        payee=payee,
        p_orig=p_orig,
        chain_id=claim_id(c + 1),
        chain_plan=rng.pick("chain_plan", c, PLANS_INSIDE),
        hvr_void_id=pl.when(kind == "hist_void_repl").then(claim_id(plan.hist_chains + 1 + pos)),
    )
    frame = frame.with_columns(
        received_date=days_before(
            plan.due_date, pl.col("p_orig") * 30 + rng.between("h_recv", c, 3, 25)
        )
    )
    frame = frame.with_columns(
        chain_begin=days_before(pl.col("received_date"), rng.between("h_begin", c, 1, 45))
    )
    return frame.with_columns(
        chain_end=days_after(pl.col("chain_begin"), rng.between("h_span", c, 0, 3))
    )


def history_skeleton(plan: CyclePlan, chains: pl.DataFrame) -> pl.DataFrame:
    """The Paid claims of prior events: every chain's original plus the prior voids."""
    rng = Rng(plan.seed)
    events = dict(enumerate(prior_event_ids(plan), start=1))
    originals = chains.select(
        claim_core_id="chain_id",
        num=pl.col("chain") + 1,
        role=pl.lit("hist_orig"),
        pos="chain",
        parent_claim_core_id="chain_id",
        frequency_code=pl.lit("1"),
        payment_event_id=pl.col("p_orig").replace_strict(events, return_dtype=pl.String),
        payee="payee",
        benefit_plan_id="chain_plan",
        received_date="received_date",
        service_begin_date="chain_begin",
        service_end_date="chain_end",
    )
    hvr = chains.filter(pl.col("kind") == "hist_void_repl")
    voids = hvr.select(
        claim_core_id="hvr_void_id",
        num=plan.hist_chains + 1 + pl.col("pos"),
        role=pl.lit("hist_void"),
        pos="pos",
        parent_claim_core_id="chain_id",
        frequency_code=pl.lit("8"),
        payment_event_id=pl.lit(events[1]),
        payee="payee",
        benefit_plan_id="chain_plan",
        received_date=days_before(
            plan.due_date, 30 + rng.between("hv_recv", pl.col("chain"), 3, 25)
        ),
        service_begin_date="chain_begin",
        service_end_date="chain_end",
        src_claim="chain_id",
        factor=pl.lit(1000, pl.Int64),
    )
    both = pl.concat([conform(originals), conform(voids)])
    return both.with_columns(
        status=pl.lit("Paid"),
        late=pl.lit(False),
        header_null=pl.lit(False),
        header_diff=pl.lit(False),
    )
