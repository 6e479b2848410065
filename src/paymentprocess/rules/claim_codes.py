"""Frequency codes, their counts, and duplicate claims."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain.claim_counts import by_frequency, count_claims
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.rules.base import RuleContext, findings_of


@dataclass(frozen=True)
class FrequencyCode:
    codes: tuple[FindingCode, ...] = (FindingCode.FREQUENCY_CODE,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        bad = ctx.claims.filter(~pl.col("frequency_code").is_in(["1", "7", "8"]).fill_null(False))
        return findings_of(
            ctx,
            FindingCode.FREQUENCY_CODE,
            bad["claim_core_id"],
            "frequency code is not 1, 7 or 8; the claim is held",
        )


@dataclass(frozen=True)
class FrequencyCounts:
    codes: tuple[FindingCode, ...] = (FindingCode.FREQUENCY_COUNTS,)
    needs_results: bool = False
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        counted = ctx.claim_counts if ctx.claim_counts is not None else count_claims(ctx.claims)
        counts = by_frequency(counted)
        text = ", ".join(f"{r['frequency_code']}: {r['len']}" for r in counts.iter_rows(named=True))
        return [
            Finding(
                FindingCode.FREQUENCY_COUNTS,
                FindingCode.FREQUENCY_COUNTS.severity_in(ctx.cfg.mode),
                int(counted["len"].sum()),
                f"claims by frequency code: {text or 'none'}",
            )
        ]


@dataclass(frozen=True)
class DuplicateClaim:
    codes: tuple[FindingCode, ...] = (FindingCode.DUPLICATE_CLAIM,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        claims = ctx.claims
        twice = claims.filter(pl.col("claim_core_id").is_duplicated())["claim_core_id"]
        chain = pl.coalesce("parent_claim_core_id", "claim_core_id")
        paid_chains = ctx.data.history.filter(pl.col("paid_count") > 0)["parent_claim_core_id"]
        repaid = claims.filter(
            (pl.col("frequency_code") == "1") & chain.is_in(paid_chains.implode())
        )
        ids = pl.concat([twice, repaid["claim_core_id"]])
        return findings_of(
            ctx,
            FindingCode.DUPLICATE_CLAIM,
            ids,
            "claim id given twice, or an original for a chain already paid",
        )
