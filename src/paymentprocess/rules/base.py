"""The validation rule protocol and the context every rule reads.

A rule checks one concern and returns findings (values, never exceptions) of the codes it
declares (`codes`, members of domain.finding_codes.FindingCode). `needs_results` rules
run after the engine computed outcomes, payees and the ledger; the others run on the loaded input
and decide whether a Final Run is blocked before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import polars as pl

from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding, findings_from_ids
from paymentprocess.domain.run_config import RunConfig


@dataclass
class RuleContext:
    cfg: RunConfig
    data: CycleData
    claims: pl.DataFrame  # cycle claims with payee_key (and, after compute, outcomes and amounts)
    lines: pl.DataFrame  # lines with raw_payable and payable
    cycle_payees: pl.DataFrame | None = None
    refunds: pl.DataFrame | None = None  # refund state after the ledger stage
    payee_results: pl.DataFrame | None = None  # one row per cycle payee (net_pay, ...)


class Rule(Protocol):
    @property
    def codes(self) -> tuple[FindingCode, ...]:
        """Every code this rule's findings may carry (engine.validate refuses any other)."""
        ...

    @property
    def needs_results(self) -> bool: ...

    def check(self, ctx: RuleContext) -> list[Finding]: ...


def findings_of(ctx: RuleContext, code: FindingCode, ids: pl.Series, message: str) -> list[Finding]:
    """The finding of `code` over the distinct `ids`, at the code's severity in this run's mode
    (domain.finding_codes); empty when there are no ids."""
    return findings_from_ids(code, code.severity_in(ctx.cfg.mode), ids, message)
