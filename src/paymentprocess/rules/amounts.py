"""Negative dollar amounts and lines whose member responsibility exceeds the allowed amount."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.rules.base import RuleContext, findings_of


@dataclass(frozen=True)
class NegativeAmount:
    codes: tuple[FindingCode, ...] = (FindingCode.NEGATIVE_AMOUNT,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        neg = pl.any_horizontal(*((pl.col(m) < 0).fill_null(False) for m in col.MONEY))
        ids = pl.concat(
            [ctx.claims.filter(neg)["claim_core_id"], ctx.lines.filter(neg)["claim_core_id"]]
        )
        return findings_of(
            ctx,
            FindingCode.NEGATIVE_AMOUNT,
            ids,
            "a negative dollar amount on a claim header or line",
        )


@dataclass(frozen=True)
class NegativePayable:
    codes: tuple[FindingCode, ...] = (FindingCode.NEGATIVE_PAYABLE,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        ids = ctx.lines.filter(pl.col("raw_payable") < 0)["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.NEGATIVE_PAYABLE,
            ids,
            "a line's member responsibility exceeds its allowed amount (payable floored at 0)",
        )
