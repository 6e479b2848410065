"""Reference data: benefit plans, service codes and payment-holding process codes."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.domain.process_codes import holds_payment
from paymentprocess.rules.base import RuleContext, findings_of


@dataclass(frozen=True)
class InvalidBenefitPlan:
    codes: tuple[FindingCode, ...] = (FindingCode.INVALID_BENEFIT_PLAN,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        known = list(ctx.cfg.benefit_plans)
        ids = ctx.claims.filter(~pl.col("benefit_plan_id").is_in(known).fill_null(False))[
            "claim_core_id"
        ]
        return findings_of(
            ctx,
            FindingCode.INVALID_BENEFIT_PLAN,
            ids,
            "BenefitPlan_ID unknown to the reference data",
        )


@dataclass(frozen=True)
class UnknownServiceCode:
    codes: tuple[FindingCode, ...] = (FindingCode.UNKNOWN_SERVICE_CODE,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        known = list(ctx.cfg.service_codes)
        ids = ctx.lines.filter(~pl.col("procedure_code").is_in(known).fill_null(False))[
            "claim_core_id"
        ]
        return findings_of(
            ctx,
            FindingCode.UNKNOWN_SERVICE_CODE,
            ids,
            "a line's procedure code is not in ServiceCode",
        )


@dataclass(frozen=True)
class ProcessException:
    codes: tuple[FindingCode, ...] = (FindingCode.PROCESS_EXCEPTION,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        ids = ctx.claims.filter(holds_payment(ctx.cfg, ctx.claims))["claim_core_id"]
        return findings_of(
            ctx,
            FindingCode.PROCESS_EXCEPTION,
            ids,
            "claim carries a process code that holds payment; held",
        )
