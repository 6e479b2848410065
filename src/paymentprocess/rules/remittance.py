"""What the 835s will show in a non-obvious way (OUTPUTS.md §3.3–§3.4), reported before money
is committed. None blocks; all name ClaimCore_IDs (never member ids or bank numbers) and look at
the cycle's paid claims of a Provider event only (a Member event sends no 835):

- REMIT_LINE_CAPPED (Info): a paid 1/7 with a line whose member amounts exceed its allowed
  amount (the line's raw payable < 0, floored at 0: NEGATIVE_PAYABLE): the 835 caps its CAS
  amounts so that SVC02 − ΣCAS = SVC03 (outputs.cas `line_adjustments`).
- REMIT_HEADER_MISMATCH (Warning): a paid 1/7 with lines whose header BilledAmount (when given)
  differs from Σ line BilledAmount; the 835's CLP03 is the lines' sum.
- REMIT_PAYEE_CHANGED (Warning): a paid 7/8 whose reversed claim — the chain's previous paid
  claim in this event, else its latest claim paid outside it (`CycleData.history_claims`), not
  a void — is paid to another payee; the reversal goes in this claim's payee's 835.
- REMIT_HISTORY_MISMATCH (Warning): a paid 7/8 whose reversed claim is from history and whose
  own lines pay other than the chain's paid history: its 835 reversal is claim-level only.
See docs/semantics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.domain.payee_keys import key_expr
from paymentprocess.rules.base import RuleContext, findings_of

_CHAIN = pl.coalesce("parent_claim_core_id", "claim_core_id")


def _paid_items(ctx: RuleContext) -> pl.DataFrame | None:
    """The paid claims the 835s render as their own claim items (frequency 1 or 7)."""
    if ctx.cfg.event_type == "DMR" or col.OUTCOME not in ctx.claims.columns:
        return None
    return ctx.claims.filter(
        (pl.col(col.OUTCOME) == col.PAID) & pl.col("frequency_code").is_in(["1", "7"])
    ).select("claim_core_id", "billed_amount")


@dataclass(frozen=True)
class RemitLineCapped:
    codes: tuple[FindingCode, ...] = (FindingCode.REMIT_LINE_CAPPED,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        paid = _paid_items(ctx)
        if paid is None:
            return []
        capped = ctx.lines.filter(pl.col("raw_payable") < 0).select("claim_core_id")
        ids = paid.join(capped, on="claim_core_id", how="semi")["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.REMIT_LINE_CAPPED,
            ids,
            "a paid line's member amounts exceed its allowed amount; its 835 CAS amounts are capped",
        )


@dataclass(frozen=True)
class RemitHeaderMismatch:
    codes: tuple[FindingCode, ...] = (FindingCode.REMIT_HEADER_MISMATCH,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        paid = _paid_items(ctx)
        if paid is None:
            return []
        sums = ctx.lines.group_by("claim_core_id").agg(
            pl.col("billed_amount").fill_null(0).sum().alias("lines_billed")
        )
        differs = (pl.col("billed_amount") != pl.col("lines_billed")).fill_null(False)
        ids = paid.join(sums, on="claim_core_id").filter(differs)["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.REMIT_HEADER_MISMATCH,
            ids,
            "a paid claim's header BilledAmount differs from the sum of its lines' billed "
            "amounts; the 835's CLP03 is the lines' sum",
        )


def _reversed(ctx: RuleContext) -> pl.DataFrame | None:
    """The paid 7/8 claims with the claim their 835 reversal reverses (OUTPUTS.md §3.3): the
    chain's previous paid claim of this event, else its latest claim paid outside it — its
    payee key (`before_key`), frequency code and, from history, what its own lines pay."""
    if ctx.cfg.event_type == "DMR" or col.OUTCOME not in ctx.claims.columns:
        return None
    paid = (
        ctx.claims.filter(pl.col(col.OUTCOME) == col.PAID)
        .select(
            "claim_core_id",
            _CHAIN.alias("chain"),
            "frequency_code",
            "received_date",
            col.PAYEE_KEY,
            "paid_history",
        )
        .sort("chain", "received_date", "claim_core_id")
    )
    same_chain = (pl.col("chain") == pl.col("chain").shift(1)).fill_null(False)
    paid = paid.with_columns(
        pl.when(same_chain).then(pl.col(col.PAYEE_KEY).shift(1)).alias("previous_key"),
        pl.when(same_chain).then(pl.col("frequency_code").shift(1)).alias("previous_frequency"),
        (~same_chain).alias("from_history"),
    ).filter(pl.col("frequency_code").is_in(["7", "8"]))
    history = ctx.data.history_claims
    if history.is_empty():
        history = pl.DataFrame(
            schema={
                "chain": pl.String,
                "history_key": pl.String,
                "history_frequency": pl.String,
                "history_payable": pl.Int64,
            }
        )
    else:
        history = history.select(
            pl.col("parent_claim_core_id").alias("chain"),
            key_expr(ctx.cfg).alias("history_key"),
            pl.col("frequency_code").alias("history_frequency"),
            pl.col(col.PAYABLE).alias("history_payable"),
        )
    joined = paid.join(history, on="chain", how="left")
    from_history = pl.col("from_history")
    return joined.with_columns(
        pl.when(from_history)
        .then(pl.col("history_key"))
        .otherwise(pl.col("previous_key"))
        .alias("before_key"),
        pl.when(from_history)
        .then(pl.col("history_frequency"))
        .otherwise(pl.col("previous_frequency"))
        .alias("before_frequency"),
        (~from_history | pl.col("history_frequency").is_not_null()).alias("has_before"),
    )


# a reversal is rendered only of a claim that is not a void (remittance.py `renderable`)
_RENDERED = pl.col("has_before") & (pl.col("before_frequency").fill_null("8") != "8")


@dataclass(frozen=True)
class RemitPayeeChanged:
    codes: tuple[FindingCode, ...] = (FindingCode.REMIT_PAYEE_CHANGED,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        reversed_ = _reversed(ctx)
        if reversed_ is None:
            return []
        changed = _RENDERED & (pl.col("before_key") != pl.col(col.PAYEE_KEY))
        ids = reversed_.filter(changed.fill_null(False))["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.REMIT_PAYEE_CHANGED,
            ids,
            "a paid replacement or void whose chain's previous paid claim went to another "
            "payee; the reversal goes in this claim's payee's 835",
        )


@dataclass(frozen=True)
class RemitHistoryMismatch:
    codes: tuple[FindingCode, ...] = (FindingCode.REMIT_HISTORY_MISMATCH,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        reversed_ = _reversed(ctx)
        if reversed_ is None:
            return []
        mismatch = (
            _RENDERED
            & pl.col("from_history")
            & (pl.col("history_payable") != pl.col("paid_history"))
        )
        ids = reversed_.filter(mismatch.fill_null(False))["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.REMIT_HISTORY_MISMATCH,
            ids,
            "a paid replacement or void whose chain's previously paid claim (history) paid "
            "other than its own lines; its 835 reversal is claim-level only",
        )
