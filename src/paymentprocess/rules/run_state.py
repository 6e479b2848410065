"""Run-level checks: payees to create, sequences, estimate drift, refunds left over."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain.findings import Finding, Severity, findings_from_ids
from paymentprocess.engine import columns as col
from paymentprocess.engine.payees import stats_key
from paymentprocess.rules.base import RuleContext


@dataclass(frozen=True)
class PayeeMissing:
    code: str = "PAYEE_MISSING"
    needs_results: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.cycle_payees is None:
            return []
        keys = ctx.cycle_payees.filter(pl.col("is_new"))[col.PAYEE_KEY]
        shown = pl.Series(
            [stats_key(k, ctx.cfg.event_type) for k in keys.to_list()], dtype=pl.String
        )
        action = "the Final Run creates it" if ctx.cfg.mode == "final" else "flagged NEW"
        return findings_from_ids(self.code, "Info", shown, f"payee must be created ({action})")


@dataclass(frozen=True)
class SequenceMismatch:
    code: str = "SEQUENCE_MISMATCH"
    needs_results: bool = False

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
        severity: Severity = "Critical" if ctx.cfg.mode == "final" else "Warning"
        return findings_from_ids(
            self.code,
            severity,
            pl.Series(behind, dtype=pl.String),
            "SequenceNumbers value below the largest id in use",
        )


@dataclass(frozen=True)
class EstimateDiffers:
    code: str = "ESTIMATE_DIFFERS"
    needs_results: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.cfg.mode != "final":
            return []
        ids = ctx.claims.filter(pl.col(col.LINE_PAYABLE_SUM) != pl.col(col.ESTIMATE))[
            "claim_core_id"
        ]
        return findings_from_ids(
            self.code, "Info", ids, "Final claim payable differs from the Dry Run estimate"
        )


@dataclass(frozen=True)
class RefundUnapplied:
    code: str = "REFUND_UNAPPLIED"
    needs_results: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        if ctx.refunds is None or ctx.cycle_payees is None:
            return []
        considered = ctx.refunds.filter(
            pl.col(col.PAYEE_KEY).is_null()
            | pl.col(col.PAYEE_KEY).is_in(ctx.cycle_payees[col.PAYEE_KEY].implode())
        )
        ids = considered.filter(pl.col("applied") < pl.col("remaining"))["refund_id"]
        return findings_from_ids(
            self.code,
            "Warning",
            ids,
            "refund larger than the payee's open overpayments; the rest stays open",
        )
