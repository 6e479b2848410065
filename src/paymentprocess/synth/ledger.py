"""Prior carry-overs, refunds, prior payments and the sequences that number them.

The ledger holds open OverPayment records of the `prior_over` payees (the first created for the
chain their refund points at; 40 % partially applied before, i.e. opening remaining < total),
open UnderPayment records of the `carry_*` payees (1–3 each, under the $5.00 minimum one by one),
and closed records (remaining 0) of general payees. Refunds point at the paid original of a
`prior_over` payee's chain and take 10–60 % of its record (every fourth was already applied by the
legacy system: `opening_applied_amount` = its amount); REFUND_UNAPPLIED refunds exceed all of
the payee's open overpayments. Prior payments are one per (prior event, payee) paid a positive
sum, check-numbered from 100001; SequenceNumbers hold the largest id in use of each counter.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.synth.identifiers import claim_id, numbered
from paymentprocess.synth.plan import CyclePlan
from paymentprocess.synth.reference import FUNDING_SOURCE_ID, prior_due_date, prior_event_ids
from paymentprocess.synth.rng import Rng
from paymentprocess.synth.skeleton import days_before

FIRST_CHECK = 100_000
TAGS = {"over_first": 0, "over_more": 1, "under_only": 2, "under": 3, "closed": 4}


def _records(
    plan: CyclePlan, payees: pl.Expr, count: int, tag: str, per_payee: int
) -> pl.DataFrame:
    rng = Rng(plan.seed)
    frame = pl.select(pl.int_range(count, dtype=pl.Int64).alias("pos")).with_columns(payee=payees)
    frame = frame.with_columns(
        r=pl.int_ranges(0, rng.between(f"{tag}:n", pl.col("pos"), 1, per_payee))
    ).explode("r")
    return frame.with_columns(tag=pl.lit(tag), key=pl.col("pos") * 4 + pl.col("r"))


def ledger_frame(plan: CyclePlan) -> pl.DataFrame:
    """over_and_under_payment rows plus `payee` and `pos` (the prior_over position) columns."""
    rng = Rng(plan.seed)
    pos = pl.col("pos")
    first = _records(plan, plan.pool_lo + pos, plan.prior_over, "over_first", 1)
    second = _records(plan, plan.pool_lo + pos, plan.prior_over, "over_more", 1).filter(
        rng.chance("over_more", pos, 3, 10)
    )
    carry_only = _records(plan, plan.over + pos, plan.carry_only, "under_only", 3)
    carry = _records(plan, plan.carry_claims_lo + pos, plan.carry_claims, "under", 3)
    closed_n = max(2, plan.existing // 50)
    closed = _records(
        plan, rng.skewed("closed", pos, plan.pool_lo, plan.existing - plan.pool_lo), closed_n,
        "closed", 1,
    )  # fmt: skip
    frame = pl.concat([first, second, carry_only, carry, closed])
    tag = pl.col("tag")
    key = pl.col("key") * 8 + tag.replace_strict(TAGS, return_dtype=pl.Int64)
    over = tag.str.starts_with("over")
    total = (
        pl.when(over).then(rng.between("op_total", key, 2500, 60000))
        .when(tag == "closed").then(rng.between("closed_total", key, 100, 20000))
        .otherwise(rng.between("up_total", key, 50, 499))
    )  # fmt: skip
    partial = (
        pl.when(over)
        .then(rng.chance("op_partial", key, 2, 5))
        .otherwise(rng.chance("up_partial", key, 1, 10))
    )
    frame = frame.with_columns(
        type=pl.when(over | ((tag == "closed") & (pos % 2 == 0)))
        .then(pl.lit("OverPayment"))
        .otherwise(pl.lit("UnderPayment")),
        p=rng.between("event", key, 1, plan.prior_events),
        total_amount=total,
        claim_chain_id=pl.when(tag == "over_first").then(
            claim_id(plan.chain_start("hist_only") + pos + 1)
        ),
    ).with_columns(
        opening_remaining_amount=pl.when(tag == "closed")
        .then(0)
        .when(partial)
        .then(
            pl.max_horizontal(pl.col("total_amount") * rng.between("pm", key, 200, 900) // 1000, 1)
        )
        .otherwise("total_amount"),
    )
    events = dict(enumerate(prior_event_ids(plan), start=1))
    dues = {p: prior_due_date(plan, p) for p in events}
    frame = frame.sort(["p", "payee", "tag", "r"], descending=[True, False, False, False])
    return frame.with_row_index("over_and_under_payment_id", offset=1).with_columns(
        pl.col("over_and_under_payment_id").cast(pl.Int64),
        payment_center_id=pl.col("payee") + 1,
        payment_event_id=pl.col("p").replace_strict(events, return_dtype=pl.String),
        created_date=pl.col("p").replace_strict(dues, return_dtype=pl.Date),
    )


def refund_frame(plan: CyclePlan, ledger: pl.DataFrame) -> pl.DataFrame:
    """Refunds of prior_over payees; the last `refunds_unapplied` exceed their open overpayments."""
    rng = Rng(plan.seed)
    over = ledger.filter(pl.col("type") == "OverPayment", pl.col("tag") != "closed")
    open_total = over.group_by("pos").agg(open_total=pl.col("opening_remaining_amount").sum())
    first = over.filter(pl.col("tag") == "over_first").join(open_total, on="pos")
    pos = pl.col("pos")
    unapplied_lo = plan.prior_over - plan.refunds_unapplied
    chosen = first.filter((pos < plan.refunds) | (pos >= unapplied_lo)).sort("pos")
    amount = (
        pl.when(pos >= unapplied_lo)
        .then(pl.col("open_total") + rng.between("refund_extra", pos, 100, 5000))
        .otherwise(pl.max_horizontal(
            pl.col("opening_remaining_amount") * rng.between("refund_pm", pos, 100, 600) // 1000, 1
        ))
    )  # fmt: skip
    # Every fourth applicable refund was already applied by the legacy system (Status Applied):
    # a run must never apply it again.
    legacy_applied = (pos < unapplied_lo) & (pl.col("n") % 4 == 0)
    return chosen.with_row_index("n", offset=1).select(
        refund_id=numbered("RF", pl.col("n"), 8),
        original_claim_core_id="claim_chain_id",
        amount=amount,
        received_date=days_before(plan.due_date, rng.between("refund_day", pos, 1, 20)),
        opening_applied_amount=pl.when(legacy_applied).then(amount).otherwise(0),
        unapplied=pos >= unapplied_lo,
        legacy_applied=legacy_applied,
    )


def prior_register(
    plan: CyclePlan, history: pl.DataFrame, totals: pl.DataFrame, payees: pl.DataFrame
) -> pl.DataFrame:
    """payment_register rows of the prior events, numbered from CheckNumber:<FS> 100001."""
    dues = {e: prior_due_date(plan, p) for p, e in enumerate(prior_event_ids(plan), start=1)}
    sign = pl.when(pl.col("frequency_code") == "8").then(-1).otherwise(1)
    paid = (
        history.join(totals.select("num", "payable"), on="num")
        .group_by("payment_event_id", "payee")
        .agg(amount=(pl.col("payable") * sign).sum())
        .filter(pl.col("amount") > 0)
        .join(payees.select("payee", "payment_method"), on="payee")
        .with_columns(
            payment_date=pl.col("payment_event_id").replace_strict(dues, return_dtype=pl.Date)
        )
        .sort("payment_date", "payee")
    )
    return paid.with_row_index("n", offset=FIRST_CHECK + 1).select(
        payment_id=pl.col("payment_event_id") + ":" + (pl.col("payee") + 1).cast(pl.String),
        payment_event_id="payment_event_id",
        payment_center_id=pl.col("payee") + 1,
        amount="amount",
        method="payment_method",
        check_number=pl.col("n").cast(pl.String),
        payment_date="payment_date",
    )


def sequences(plan: CyclePlan, ledger_rows: int, register_rows: int) -> pl.DataFrame:
    """SequenceNumbers: the largest id in use (PaymentCenter lowered for SEQUENCE_MISMATCH)."""
    payment_center = plan.existing - 3 if plan.sequence_mismatch else plan.existing
    return pl.DataFrame({
        "name": ["PaymentCenter", "OverAndUnderPayment", f"CheckNumber:{FUNDING_SOURCE_ID}"],
        "value": [payment_center, ledger_rows, FIRST_CHECK + register_rows],
    })  # fmt: skip
