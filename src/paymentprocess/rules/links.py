"""Chain links: replacements and voids without a paid parent, replacements naming a wrong void."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.rules.base import RuleContext, findings_of


@dataclass(frozen=True)
class MissingParentPaid:
    codes: tuple[FindingCode, ...] = (FindingCode.MISSING_PARENT_PAID,)
    needs_results: bool = True
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        ids = ctx.claims.filter(pl.col(col.HOLD_REASON) == "missing_parent_paid")["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.MISSING_PARENT_PAID,
            ids,
            "replacement or void with no paid parent; held",
        )


@dataclass(frozen=True)
class InvalidVoidLink:
    codes: tuple[FindingCode, ...] = (FindingCode.INVALID_VOID_LINK,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        links = ctx.data.links.rename(
            {
                "claim_core_id": "void_claim_core_id",
                "parent_claim_core_id": "void_chain",
                "frequency_code": "void_code",
            }
        )
        reps = ctx.claims.filter(
            (pl.col("frequency_code") == "7") & pl.col("void_claim_core_id").is_not_null()
        ).join(links, on="void_claim_core_id", how="left")
        chain = pl.coalesce("parent_claim_core_id", "claim_core_id")
        void_chain = pl.coalesce("void_chain", "void_claim_core_id")
        good = (pl.col("void_code") == "8") & (void_chain == chain)
        ids = reps.filter(~good.fill_null(False))["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.INVALID_VOID_LINK,
            ids,
            "replacement whose VoidClaimCore_ID is not a void of the same chain",
        )
