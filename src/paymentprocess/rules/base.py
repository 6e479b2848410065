"""The validation rule protocol and the context every rule reads.

A rule checks one concern and returns findings (values, never exceptions) of the codes it
declares (`codes`, members of domain.finding_codes.FindingCode). `needs_results` rules
run after the engine computed outcomes, payees and the ledger; the others run on the loaded input
and decide whether a Final Run is blocked before anything is written. Claim-level rules run on
each partition of the cycle (engine.partition) and their findings merge exactly, by id
(`domain.findings.merge_findings`); `cycle_level` rules run once, on the whole cycle's payees.
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
    # claim-level rules: the partition's claims with payee_key (and, after compute, outcomes and
    # amounts); cycle-level rules: each payee key's smallest claim (domain.new_payees)
    claims: pl.DataFrame
    lines: pl.DataFrame  # lines with raw_payable and payable
    cycle_payees: pl.DataFrame | None = None
    refunds: pl.DataFrame | None = None  # refund state after the ledger stage
    payee_results: pl.DataFrame | None = None  # one row per cycle payee (net_pay, ...)
    # cycle-level rules: the cycle's claims counted by frequency_code (and outcome): `len`
    claim_counts: pl.DataFrame | None = None


class Rule(Protocol):
    @property
    def codes(self) -> tuple[FindingCode, ...]:
        """Every code this rule's findings may carry (engine.validate refuses any other)."""
        ...

    @property
    def needs_results(self) -> bool: ...

    @property
    def cycle_level(self) -> bool:
        """True: checks the cycle as a whole (its payees, sequences, counts) and runs once; False:
        checks claims and lines one chain at a time, so it runs on each partition of a cycle."""
        ...

    def check(self, ctx: RuleContext) -> list[Finding]: ...


def findings_of(ctx: RuleContext, code: FindingCode, ids: pl.Series, message: str) -> list[Finding]:
    """The finding of `code` over the distinct `ids`, at the code's severity in this run's mode
    (domain.finding_codes); empty when there are no ids."""
    return findings_from_ids(code, code.severity_in(ctx.cfg.mode), ids, message)
