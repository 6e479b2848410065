"""The current cycle's claims (skeleton): every role of the plan, vectorized over N rows.

Roles: `fresh` originals (general and new payees; some late, some with informational process
codes or header quirks), `guaranteed` originals that make reserved payees cycle payees, `small`
claims under the minimum payment, `outside` the inclusion criteria, voids and replacements of paid
chains (`void`, `repl_lower`, `repl_higher`, `vr_void` + `vr_repl` linked by VoidClaimCore_ID,
`hvr_repl` after a prior void), same-cycle `pair_orig` + `pair_void`, and one role per deliberate
data error (named by its SPEC §7 code). Claim numbers are a seeded permutation, so roles do not
cluster by id. Chain order is made unambiguous by strictly increasing received dates.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.synth.identifiers import claim_id
from paymentprocess.synth.plan import CyclePlan
from paymentprocess.synth.reference import (
    HOLDING_CODE,
    PLANS_INSIDE,
    PLANS_OUTSIDE,
    UNKNOWN_PLAN,
)
from paymentprocess.synth.rng import Draw, Rng
from paymentprocess.synth.skeleton import conform, days_after, days_before, is_role, role_blocks

CHAIN_OF_ROLE = {
    "void": "void", "repl_lower": "repl_lower", "repl_higher": "repl_higher",
    "vr_void": "void_repl", "vr_repl": "void_repl", "hvr_repl": "hist_void_repl",
    "INVALID_VOID_LINK": "bad_link",
}  # fmt: skip
COPY_FACTORS = {  # permille of the original's line amounts
    "void": (1000, 1000), "vr_void": (1000, 1000), "repl_lower": (500, 900),
    "repl_higher": (1050, 1300), "vr_repl": (800, 1200), "hvr_repl": (800, 1200),
    "INVALID_VOID_LINK": (950, 1100),
}  # fmt: skip
VOIDS = ("void", "vr_void", "pair_void")
REPLACEMENTS = ("repl_lower", "repl_higher", "vr_repl", "hvr_repl", "INVALID_VOID_LINK")
NEW_PAYEE_PERCENT, LATE_PERCENT = 12, 8
SLOT_STREAMS = ("cur_a", "cur_b", "cur_c", "cur_d", "cur_e", "cur_f")  # see _payee, _columns


def current_skeleton(plan: CyclePlan, chains: pl.DataFrame) -> pl.DataFrame:
    """The N claims of the current event, in claim-number order."""
    rng = Rng(plan.seed)
    frame = rng.add_streams(role_blocks(plan.roles()), "slot", (*SLOT_STREAMS, "cur_order"))
    frame = rng.add_streams(frame, "pos", ("cur_pos",))
    role, pos = pl.col("role"), pl.col("pos")
    starts = {r: plan.chain_start(kind) for r, kind in CHAIN_OF_ROLE.items()}
    last_hist_only = plan.chain_start("hist_only") + plan.chains["hist_only"] - 1
    chain = (
        pl.when(role == "DUPLICATE_CLAIM")
        .then(last_hist_only - pos)
        .otherwise(role.replace_strict(starts, default=None, return_dtype=pl.Int64) + pos)
    )
    order = pl.col("cur_order").rank("ordinal").cast(pl.Int64)
    frame = frame.with_columns(chain=chain, num=plan.hist_claims + order)
    frame = frame.join(
        chains.select("chain", "chain_id", "chain_plan", "chain_begin", "chain_end", "hvr_void_id",
                      chain_payee="payee"),
        on="chain", how="left",
    ).with_columns(claim_core_id=claim_id(pl.col("num")))  # fmt: skip
    frame = frame.with_columns(_received(plan), payee=_payee(plan))
    frame = frame.with_columns(_columns(plan))
    d = Draw("cur_d")
    frame = frame.with_columns(
        service_begin_date=pl.coalesce(
            "chain_begin", days_before(pl.col("received_date"), d.between(0, 1, 45))
        )
    ).with_columns(
        service_end_date=pl.coalesce(
            "chain_end", days_after(pl.col("service_begin_date"), d.between(1, 0, 3))
        )
    )
    return conform(_link_partners(frame)).sort("num")


def _payee(plan: CyclePlan) -> pl.Expr:
    role, pos = pl.col("role"), pl.col("pos")
    new_lo = plan.existing + plan.small_new
    # Members come from enrollment with their addresses: a DMR cycle's only new members are those
    # held under the minimum (a check to a new member, whose address no claim carries, would be
    # PAYEE_ADDRESS_MISSING and block the Final Run).
    new_share = 0 if plan.event_type == "DMR" else NEW_PAYEE_PERCENT
    general = (
        pl.when(Draw("cur_c").chance(0, new_share, 100))
        .then(Draw("cur_b").skewed(new_lo, plan.new - plan.small_new))
        .otherwise(Draw("cur_a").skewed(plan.pool_lo, plan.existing - plan.pool_lo))
    )
    small = (
        pl.when(pos < plan.small_old)
        .then(plan.small_old_lo + pos)
        .otherwise(plan.existing + pos - plan.small_old)
    )
    return (
        pl.when(pl.col("chain").is_not_null())
        .then(pl.col("chain_payee"))
        .when(role == "guaranteed")
        .then(plan.pool_lo + pos)
        .when(role == "small")
        .then(small)
        .otherwise(general)
    )


def _received(plan: CyclePlan) -> pl.Expr:
    role = pl.col("role")
    c, p = Draw("cur_c"), Draw("cur_pos")  # cur_pos is keyed by pos: partners draw alike
    late = (role == "fresh") & c.chance(1, LATE_PERCENT, 100)
    offset = (
        pl.when(late).then(c.between(2, 60, 300))
        .when(role == "vr_void").then(p.between(0, 12, 25))
        .when(role == "vr_repl").then(p.between(0, 12, 25) - p.between(1, 1, 9))
        .when(role == "pair_orig").then(p.between(2, 12, 25))
        .when(role == "pair_void").then(p.between(2, 12, 25) - p.between(3, 1, 9))
        .otherwise(c.between(3, 1, 25))
    )  # fmt: skip
    return days_before(plan.due_date, offset).alias("received_date")


def _columns(plan: CyclePlan) -> list[pl.Expr]:
    role, pos = pl.col("role"), pl.col("pos")
    d, e, f = Draw("cur_d"), Draw("cur_e"), Draw("cur_f")
    has_chain = pl.col("chain").is_not_null()
    frequency = (
        pl.when(is_role(*VOIDS)).then(pl.lit("8"))
        .when(is_role(*REPLACEMENTS)).then(pl.lit("7"))
        .when(role == "MISSING_PARENT_PAID")
        .then(pl.when(pos % 2 == 0).then(pl.lit("7")).otherwise(pl.lit("8")))
        .when(role == "FREQUENCY_CODE").then(pl.lit("9"))
        .otherwise(pl.lit("1"))
    )  # fmt: skip
    missing_parent = claim_id(plan.hist_claims + plan.claims + 1 + pos)
    factor = pl.lit(None, pl.Int64)
    for r, (lo, hi) in COPY_FACTORS.items():
        factor = pl.when(role == r).then(d.between(2, lo, hi)).otherwise(factor)
    info_codes = (
        pl.when(d.chance(3, 1, 4)).then(pl.lit('["P200", "P300"]')).otherwise(pl.lit('["P200"]'))
    )
    fresh = role == "fresh"
    header_null = fresh & e.chance(1, 3, 100)
    return [
        frequency.alias("frequency_code"),
        pl.when(has_chain).then(pl.col("chain_id"))
        .when(role == "MISSING_PARENT_PAID").then(missing_parent)
        .otherwise(pl.col("claim_core_id")).alias("parent_claim_core_id"),
        pl.when(role == "hvr_repl").then(pl.col("hvr_void_id"))
        .when(role == "INVALID_VOID_LINK").then(pl.col("chain_id"))
        .alias("void_claim_core_id"),
        pl.when(has_chain & (role != "DUPLICATE_CLAIM")).then(pl.col("chain_id")).alias("src_claim"),
        factor.alias("factor"),
        pl.when(has_chain).then(pl.col("chain_plan"))
        .when(role == "outside").then(f.pick(0, PLANS_OUTSIDE))
        .when(role == "INVALID_BENEFIT_PLAN").then(pl.lit(UNKNOWN_PLAN))
        .otherwise(e.pick(3, PLANS_INSIDE)).alias("benefit_plan_id"),
        pl.when(role == "PROCESS_EXCEPTION").then(pl.lit(f'["{HOLDING_CODE}"]'))
        .when(fresh & e.chance(0, 2, 100)).then(info_codes)
        .alias("process_codes"),
        pl.lit(plan.event_id).alias("payment_event_id"),
        pl.lit("Unpaid").alias("status"),
        (pl.col("received_date") < days_before(plan.due_date, pl.lit(59))).alias("late"),
        header_null.alias("header_null"),
        (fresh & ~header_null & e.chance(2, 1, 100)).alias("header_diff"),
    ]  # fmt: skip


def _link_partners(frame: pl.DataFrame) -> pl.DataFrame:
    """A same-cycle void takes its original's payee, plan and lines; vr_repl names its void."""
    originals = frame.filter(pl.col("role") == "pair_orig").select(
        pl.lit("pair_void").alias("role"), "pos", partner="claim_core_id", p_payee="payee",
        p_plan="benefit_plan_id", p_begin="service_begin_date", p_end="service_end_date",
    )  # fmt: skip
    voids = frame.filter(pl.col("role") == "vr_void").select(
        pl.lit("vr_repl").alias("role"), "pos", partner="claim_core_id"
    )
    partners = pl.concat([originals, voids], how="diagonal")
    frame = frame.join(partners, on=["role", "pos"], how="left")
    pair = pl.col("role") == "pair_void"
    return frame.with_columns(
        parent_claim_core_id=pl.when(pair).then("partner").otherwise("parent_claim_core_id"),
        src_claim=pl.when(pair).then("partner").otherwise("src_claim"),
        factor=pl.when(pair).then(pl.lit(1000, pl.Int64)).otherwise("factor"),
        payee=pl.when(pair).then("p_payee").otherwise("payee"),
        benefit_plan_id=pl.when(pair).then("p_plan").otherwise("benefit_plan_id"),
        service_begin_date=pl.when(pair).then("p_begin").otherwise("service_begin_date"),
        service_end_date=pl.when(pair).then("p_end").otherwise("service_end_date"),
        void_claim_core_id=pl.when(pl.col("role") == "vr_repl")
        .then("partner")
        .otherwise("void_claim_core_id"),
    )
