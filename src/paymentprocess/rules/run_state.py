"""Run-level checks: payees to create, sequences, estimate drift, refunds left over."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.domain.payee_keys import stats_key
from paymentprocess.rules.base import RuleContext, findings_of


@dataclass(frozen=True)
class PayeeMissing:
    codes: tuple[FindingCode, ...] = (FindingCode.PAYEE_MISSING,)
    needs_results: bool = True
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.cycle_payees is None:
            return []
        keys = ctx.cycle_payees.filter(pl.col("is_new"))[col.PAYEE_KEY]
        shown = pl.Series(
            [stats_key(k, ctx.cfg.event_type) for k in keys.to_list()], dtype=pl.String
        )
        action = "the Final Run creates it" if ctx.cfg.mode == "final" else "flagged NEW"
        return findings_of(
            ctx, FindingCode.PAYEE_MISSING, shown, f"payee must be created ({action})"
        )


@dataclass(frozen=True)
class SequenceMismatch:
    codes: tuple[FindingCode, ...] = (FindingCode.SEQUENCE_MISMATCH,)
    needs_results: bool = False
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        in_use = {
            "PaymentCenter": ctx.data.max_payment_center_id,
            "OverAndUnderPayment": ctx.data.max_ledger_id,
            ctx.cfg.check_sequence: ctx.data.max_check_number,
        }
        behind = [
            n
            for n, used in in_use.items()
            if n in ctx.cfg.sequences and ctx.cfg.sequences[n] < used
        ]
        return findings_of(
            ctx,
            FindingCode.SEQUENCE_MISMATCH,
            pl.Series(behind, dtype=pl.String),
            "SequenceNumbers value below the largest id in use" + _blocks(ctx),
        )


def _blocks(ctx: RuleContext) -> str:
    return "; the Final Run will block until it is fixed" if ctx.cfg.mode == "dry-run" else ""


@dataclass(frozen=True)
class SequenceMissing:
    """Checks and traces are physical numbers: their sequence is never made up by a run."""

    codes: tuple[FindingCode, ...] = (FindingCode.SEQUENCE_MISSING,)
    needs_results: bool = False
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        name = ctx.cfg.check_sequence
        missing = [] if name in ctx.cfg.sequences else [name]
        message = (
            "check/trace number sequence does not exist; create it with "
            f"`paymentprocess sequence set {name} <last number used>`" + _blocks(ctx)
        )
        return findings_of(
            ctx, FindingCode.SEQUENCE_MISSING, pl.Series(missing, dtype=pl.String), message
        )


@dataclass(frozen=True)
class PayeeAddressMissing:
    """A member (DMR) to be paid by check needs a name and a whole mailing address."""

    codes: tuple[FindingCode, ...] = (FindingCode.PAYEE_ADDRESS_MISSING,)
    needs_results: bool = True
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        results, cycle = ctx.payee_results, ctx.cycle_payees
        if ctx.cfg.event_type != "DMR" or results is None or cycle is None:
            return []
        ready = ctx.data.payees.select(col.PAYEE_KEY, "mailing_ready")
        unready = (
            results.filter(pl.col("net_pay") > 0)
            .select(col.PAYEE_KEY)
            .join(
                cycle.select(col.PAYEE_KEY, "payment_center_id", "payment_method"), on=col.PAYEE_KEY
            )
            .join(ready, on=col.PAYEE_KEY, how="left")
            .filter(
                (pl.col("payment_method") == "CHECK") & (pl.col("mailing_ready").fill_null(0) != 1)
            )
        )
        shown = pl.Series(
            [
                str(pc_id) if pc_id is not None else stats_key(key, ctx.cfg.event_type)
                for key, pc_id in unready.select(col.PAYEE_KEY, "payment_center_id").iter_rows()
            ],
            dtype=pl.String,
        )
        message = "member to be paid by check has no name or mailing address" + _blocks(ctx)
        return findings_of(ctx, FindingCode.PAYEE_ADDRESS_MISSING, shown, message)


@dataclass(frozen=True)
class EstimateDiffers:
    codes: tuple[FindingCode, ...] = (FindingCode.ESTIMATE_DIFFERS,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.cfg.mode != "final":
            return []
        ids = ctx.claims.filter(pl.col(col.LINE_PAYABLE_SUM) != pl.col(col.ESTIMATE))[
            "claim_core_id"
        ]
        return findings_of(
            ctx,
            FindingCode.ESTIMATE_DIFFERS,
            ids,
            "Final claim payable differs from the Dry Run estimate",
        )


@dataclass(frozen=True)
class RefundUnapplied:
    codes: tuple[FindingCode, ...] = (FindingCode.REFUND_UNAPPLIED,)
    needs_results: bool = True
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.refunds is None or ctx.cycle_payees is None:
            return []
        considered = ctx.refunds.filter(
            pl.col(col.PAYEE_KEY).is_null()
            | pl.col(col.PAYEE_KEY).is_in(ctx.cycle_payees[col.PAYEE_KEY].implode())
        )
        ids = considered.filter(pl.col("applied") < pl.col("remaining"))["refund_id"]
        return findings_of(
            ctx,
            FindingCode.REFUND_UNAPPLIED,
            ids,
            "refund larger than the payee's open overpayments; the rest stays open",
        )
